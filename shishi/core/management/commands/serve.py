from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Serve the web app with waitress (a production WSGI server), default 127.0.0.1:8000."

    def add_arguments(self, parser):
        parser.add_argument(
            "addrport", nargs="?", default="127.0.0.1:8000", help="HOST:PORT or PORT"
        )
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args, addrport: str, threads: int, **options):
        from waitress import serve

        from shishi.wsgi import application

        host, _sep, port = addrport.rpartition(":")
        host = host.strip("[]") or "127.0.0.1"
        if not port.isdigit():
            raise CommandError(f"Not a HOST:PORT or PORT: {addrport!r}")
        self.stdout.write(
            f"Shishi at http://{host}:{port}/  (data: {settings.DATA_DIR}; Ctrl+C stops)"
        )
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
