"""A 403 or 404 is an expected answer (someone without the right, a stale
link), not a fault: Django logs a 403 with the exception's traceback, which
buries the real errors in the log. The line itself is kept."""

import logging


class ExpectedRefusalFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if 400 <= getattr(record, "status_code", 500) < 500 and record.exc_info:
            record.exc_info = None
            record.exc_text = None
        return True
