import logging
import signal

from django.core.management.base import BaseCommand, CommandError

from shishi.jobs import registry
from shishi.jobs.runner import Scheduler

log = logging.getLogger("shishi.jobs")


class Command(BaseCommand):
    help = (
        "Run the background tasks (sweeps, reminders) in this process, each on its "
        "interval, until SIGTERM or Ctrl+C; --once runs every task once and exits."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run every task once and exit")
        parser.add_argument(
            "--task",
            action="append",
            dest="tasks",
            metavar="NAME",
            help=f"only this task (repeatable): {', '.join(registry.TASKS)}",
        )
        parser.add_argument(
            "--tick", type=float, default=1.0, help="seconds between looks at the schedule"
        )

    def handle(self, *args, once: bool, tasks: list[str] | None, tick: float, **options):
        unknown = [name for name in tasks or [] if name not in registry.TASKS]
        if unknown:
            raise CommandError(
                f"Unknown task: {', '.join(unknown)}. Tasks: {', '.join(registry.TASKS)}"
            )
        scheduler = Scheduler(tasks, tick=tick)

        def stop(signum, frame):
            # The task under way finishes (its transaction commits); then we exit.
            log.info("signal %s: stopping after the current task", signal.Signals(signum).name)
            scheduler.stop.set()

        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            if once:
                results = scheduler.run_once()
                for name, result in results.items():
                    shown = "skipped (running elsewhere)" if result is None else result
                    self.stdout.write(f"{name}: {shown}")
                if any(result and result.get("error") for result in results.values()):
                    raise CommandError("Some tasks failed; see the log above.")
            else:
                scheduler.run_forever()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
