# The two commands of the README: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
ADDR ?= 127.0.0.1:8000

.PHONY: install run demo test lint bench clean worker

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# The server runs the background jobs (reminders, escalations, notices) in a
# thread; Ctrl+C stops both.
run: install
	$(BIN)/shishi init
	$(BIN)/shishi demo --skip-if-not-empty
	$(BIN)/shishi serve $(ADDR)

# The background tasks (sweeps, reminders, notices) in a process of their own,
# for servers started with --no-jobs (or under gunicorn); Ctrl+C stops it.
worker: install
	$(BIN)/shishi worker

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff format --check shishi tests bench
	$(BIN)/ruff check shishi tests bench

bench: install
	$(BIN)/python bench/bench_ledger.py

clean:
	rm -rf $(VENV) *.egg-info
