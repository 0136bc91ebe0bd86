from tests.supervision.conftest import english, overdue_item  # noqa: F401  (shared fixtures)
