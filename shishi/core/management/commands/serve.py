import signal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def _interrupt(signum, frame):
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Serve the web app with waitress (a production WSGI server), default 127.0.0.1:8000."

    def add_arguments(self, parser):
        parser.add_argument(
            "addrport", nargs="?", default="127.0.0.1:8000", help="HOST:PORT or PORT"
        )
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument(
            "--no-jobs",
            action="store_true",
            help="do not run the background jobs in this process (SHISHI_SERVE_JOBS=0 too)",
        )

    def handle(self, *args, addrport: str, threads: int, no_jobs: bool = False, **options):
        from waitress import serve

        from shishi.wsgi import application

        host, _sep, port = addrport.rpartition(":")
        host = host.strip("[]") or "127.0.0.1"
        if not port.isdigit():
            raise CommandError(f"Not a HOST:PORT or PORT: {addrport!r}")
        self.stdout.write(
            f"Shishi at http://{host}:{port}/  (data: {settings.DATA_DIR}; Ctrl+C stops)"
        )
        # SIGTERM stops the server like Ctrl+C, so the jobs stop cleanly too.
        previous = signal.signal(signal.SIGTERM, _interrupt)
        jobs = None
        if settings.SHISHI_SERVE_JOBS and not no_jobs:
            # Reminders, escalations, notices: in a thread of this process,
            # each run claimed in the database (see shishi.jobs.background).
            from shishi.jobs.background import BackgroundJobs

            jobs = BackgroundJobs().start()
            self.stdout.write("Background jobs run in this process (--no-jobs to leave them out).")
        try:
            serve(
                application,
                host=host,
                port=int(port),
                threads=threads,
                ident="shishi",
                # The same limit as the app's, also for bodies sent without a length.
                max_request_body_size=settings.SHISHI_MAX_REQUEST_BYTES,
                # Behind the README's TLS proxy on this machine: keep its
                # X-Forwarded-Proto (waitress drops it from untrusted peers).
                **(
                    {"trusted_proxy": "127.0.0.1", "trusted_proxy_headers": {"x-forwarded-proto"}}
                    if settings.SHISHI_BEHIND_PROXY
                    else {}
                ),
            )
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            if jobs is not None:
                self.stdout.write("Stopping the background jobs after the task under way…")
                jobs.stop()
