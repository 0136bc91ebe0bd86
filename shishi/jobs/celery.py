"""The Celery app: the same tasks as `shishi worker`, when CELERY_BROKER_URL is
set. Start a worker with its beat (the schedule) in one process:

    celery -A shishi.jobs.celery worker -B --loglevel=INFO

Tasks are acknowledged after they finish (acks_late), so a task whose worker
dies is delivered again; they are idempotent, and retried on failure."""

import logging
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shishi.settings")

from shishi.jobs import registry  # noqa: E402  (needs the settings module named first)

log = logging.getLogger("shishi.jobs")

app = Celery("shishi")
# CELERY_BROKER_URL, CELERY_RESULT_BACKEND, CELERY_TASK_ACKS_LATE… from Django's settings.
app.config_from_object("django.conf:settings", namespace="CELERY")


def _celery_task(name: str):
    def run(self):
        log.info("task %s (celery %s)", name, self.request.id)
        return registry.run(name)

    run.__name__ = name.replace(".", "_")
    return app.task(
        run,
        name=f"shishi.{name}",
        bind=True,
        acks_late=True,
        autoretry_for=(Exception,),
        retry_backoff=True,
        retry_backoff_max=600,
        max_retries=5,
    )


TASKS = {name: _celery_task(name) for name in registry.TASKS}

# The beat schedule: every task on the same interval as `shishi worker`'s.
app.conf.beat_schedule = {
    name: {"task": f"shishi.{name}", "schedule": float(registry.interval(name))}
    for name in registry.TASKS
}
