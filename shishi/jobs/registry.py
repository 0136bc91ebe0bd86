"""The tasks, by name. Each is a function that takes no arguments (or only
keywords with defaults), returns a small dict of what it did, and may run any
number of times: `shishi worker` and Celery run the same ones."""

import time
from collections.abc import Callable

from django.conf import settings
from django.utils.module_loading import import_string

# Dotted paths, imported when a task first runs: this module is read by the
# Celery app before Django is set up.
TASKS: dict[str, str] = {
    "sweeps.appeals": "shishi.supervision.sweeps.sweep_appeal_deadlines",
    "sweeps.items": "shishi.supervision.sweeps.sweep_item_deadlines",
    "sweeps.reports": "shishi.supervision.sweeps.sweep_missing_reports",
    "sweeps.escalate": "shishi.supervision.sweeps.sweep_escalate_overdue",
    "sweeps.orders": "shishi.supervision.sweeps.sweep_order_deadlines",
    "reminders.mail": "shishi.reminders.services.reminders_send_pending",
    "open311.drain": "shishi.open311.services.requests_drain",
    "suggestions.train": "shishi.suggestions.services.suggestions_train",
    "notices.deliver": "shishi.notices.services.notices_deliver",
    "programmes.targets": "shishi.programmes.services.targets_refresh_job",
}


def interval(name: str) -> int:
    """Seconds between two runs of the task."""
    return int(settings.SHISHI_JOB_INTERVALS.get(name, settings.SHISHI_JOB_INTERVAL))


def function(name: str) -> Callable[[], dict]:
    return import_string(TASKS[name])


def run(name: str) -> dict:
    """Run one task now; its result, with the seconds it took."""
    started = time.monotonic()
    result = dict(function(name)() or {})
    result["seconds"] = round(time.monotonic() - started, 3)
    return result
