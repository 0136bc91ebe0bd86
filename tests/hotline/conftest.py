from tests.suggestions.conftest import clerk, english, history, tree  # noqa: F401  (shared fixtures)
