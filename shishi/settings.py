"""The one settings module. Everything that differs between installations comes
from the environment, read through the typed helpers below."""

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from csp import constants as csp_constants
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from shishi.paths import data_dir, secret_key_file

BASE_DIR = Path(__file__).resolve().parent


def envstr(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1/0, true/false)")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer") from None


def envlist(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [part.strip() for part in value.split(",") if part.strip()]


DEBUG = envbool("DEBUG", False)

# Where the SQLite file, uploads and the generated secret live: a folder the user can find.
DATA_DIR = data_dir()

# The secret comes from SECRET_KEY, or from a file (SECRET_KEY_FILE, by default
# DATA_DIR/secret_key, written by `shishi init`). A missing secret outside DEBUG
# is an error: a default key in production would let anyone forge sessions.
# DEBUG runs and the test runner (pytest sets PYTEST_VERSION) use a fixed key.
SECRET_KEY = envstr("SECRET_KEY")
_secret_file = secret_key_file()
if not SECRET_KEY and _secret_file.is_file():
    SECRET_KEY = _secret_file.read_text(encoding="utf-8").strip()
if not SECRET_KEY:
    if DEBUG or "PYTEST_VERSION" in os.environ:
        SECRET_KEY = "shishi-development-key-not-for-production"  # noqa: S105
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set: set SECRET_KEY in the environment, run "
            "`shishi init` to write one to the data folder, or set DEBUG=1 for development."
        )

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
# The site's own address, as people reach it (links in mails, and the origin
# CSRF trusts below).
SHISHI_SITE_URL = envstr("SHISHI_SITE_URL", "http://127.0.0.1:8000")


def _site_origins(site_url: str, hosts: list[str]) -> list[str]:
    """Origins a form may be posted from: the site URL's, and https:// on every
    named host (a TLS proxy in front forwards plain HTTP, so Django alone cannot
    tell that the browser's Origin https://host is its own)."""
    from urllib.parse import urlsplit

    origins = []
    parts = urlsplit(site_url)
    if parts.scheme and parts.netloc:
        origins.append(f"{parts.scheme}://{parts.netloc}")
    for host in hosts:
        if host and host != "*" and not host.startswith("."):
            origins.append(f"https://{host}")
    return list(dict.fromkeys(origins))


CSRF_TRUSTED_ORIGINS = envlist(
    "CSRF_TRUSTED_ORIGINS", _site_origins(SHISHI_SITE_URL, ALLOWED_HOSTS)
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "shishi.core",
    "shishi.org",
    "shishi.categories",
    "shishi.intake",
    "shishi.ledger",
    "axes",
    "shishi.public",
    "shishi.accounts",
    "shishi.triage",
    "shishi.dispatch",
    "shishi.dashboard",
    "shishi.sheets",
    "shishi.reports",
    # The REST API for staff systems (shishi.api), its tokens, filters and schema.
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "shishi.api",
    "shishi.service_levels",
    # Reminders, supervision orders (督办) and the jobs that sweep for them.
    "shishi.reminders",
    "shishi.supervision",
    "shishi.jobs",
    # The Open311 GeoReport v2 server and the API keys of its clients.
    "shishi.apikeys",
    "shishi.open311",
    "shishi.demo",
    # 大梳理 in the app: category, duplicate, hot-issue and lead-unit suggestions.
    "shishi.suggestions",
    # 话务受理 (staff record calls, walk-ins, letters) and notices delivered to residents.
    "shishi.hotline",
    "shishi.notices",
    # Operations: /healthz, backup and restore, 503s while the database is down.
    "shishi.ops",
    "shishi.programmes",  # 专项工作: programmes, their records and results
    # The campaign's organisation and activities (issue 16).
    "shishi.organisation",
    "shishi.inspection",
    "shishi.activities",
    "shishi.liaison",
    "shishi.selection",
    "shishi.workorders",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "shishi.core.middleware.LanguageMiddleware",
    # Before the site-wide size limit, so Open311 clients get the spec's error document.
    "shishi.open311.middleware.Open311BodyLimitMiddleware",
    "shishi.core.middleware.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # A view that finds the database down answers 503 + Retry-After in its own format.
    "shishi.ops.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its response.
    "axes.middleware.AxesMiddleware",
]

# django-axes counts failed logins per username and address and locks that pair
# out for a while: guessing passwords becomes slow. Its backend goes first.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
SHISHI_LOGIN_FAILURE_LIMIT = envint("SHISHI_LOGIN_FAILURE_LIMIT", 5)
AXES_FAILURE_LIMIT = "shishi.accounts.lockout.failure_limit"
AXES_COOLOFF_TIME = dt.timedelta(minutes=envint("SHISHI_LOGIN_COOLOFF_MINUTES", 15))
# A pair (username, address) is locked after AXES_FAILURE_LIMIT failures; an
# address alone after SHISHI_LOGIN_ADDRESS_FAILURE_LIMIT, whatever usernames it
# tries (guessing across many accounts from one place). Each parameter list is
# counted on its own: axes locks when any of them reaches the limit.
AXES_LOCKOUT_PARAMETERS = ["ip_address", ["username", "ip_address"]]
SHISHI_LOGIN_ADDRESS_FAILURE_LIMIT = envint("SHISHI_LOGIN_ADDRESS_FAILURE_LIMIT", 20)
AXES_RESET_ON_SUCCESS = True
# The client's address, from the proxy's X-Real-IP when SHISHI_BEHIND_PROXY.
AXES_CLIENT_IP_CALLABLE = "shishi.ops.proxy.client_address"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "public:ledger"

ROOT_URLCONF = "shishi.urls"
WSGI_APPLICATION = "shishi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASE_URL = envstr("DATABASE_URL")
if DATABASE_URL:
    # Kept connections are checked before each request reuses them, so a
    # database restart costs no request a failure (issue 18).
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
    }
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "shishi.sqlite3",
            # A file, not memory, so concurrency tests get real second connections.
            # One file per test process, so parallel runs do not share it.
            "TEST": {"NAME": str(DATA_DIR / f"test-shishi-{os.getpid()}.sqlite3")},
            "OPTIONS": {
                # IMMEDIATE takes the write lock when a transaction starts, so two
                # concurrent writers queue up instead of failing mid-transaction,
                # and a read-check-write (a claim) cannot be interleaved.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "org.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(envstr("SHISHI_STATIC_ROOT", str(DATA_DIR / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Uploads (evidence) live outside any web root and are never served directly.
MEDIA_ROOT = DATA_DIR / "uploads"
MEDIA_URL = "/_uploads_are_not_served_directly/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Appeals one client address may file on the web in an hour (a flood guard).
SHISHI_APPEAL_RATE_PER_HOUR = envint("SHISHI_APPEAL_RATE_PER_HOUR", 10)
# Signup attempts (made or refused) one client address may make in an hour.
SHISHI_SIGNUP_RATE_PER_HOUR = envint("SHISHI_SIGNUP_RATE_PER_HOUR", 10)
# The largest request body (all files of one form together); the server refuses more.
SHISHI_MAX_REQUEST_BYTES = envint("SHISHI_MAX_REQUEST_BYTES", 60 * 1024 * 1024)
# The largest photo a resident may attach to an appeal.
SHISHI_APPEAL_PHOTO_MAX_BYTES = envint("SHISHI_APPEAL_PHOTO_MAX_BYTES", 10 * 1024 * 1024)

# Spreadsheet imports on the web: the largest file, and whether the import runs
# in a thread of the web process (the page shows its progress) or in the request.
SHISHI_IMPORT_MAX_BYTES = envint("SHISHI_IMPORT_MAX_BYTES", 50 * 1024 * 1024)
SHISHI_IMPORT_IN_BACKGROUND = envbool("SHISHI_IMPORT_IN_BACKGROUND", True)
# The most an .xlsx (a zip) may unpack to: a guard against zip bombs.
SHISHI_IMPORT_MAX_UNCOMPRESSED_BYTES = envint("SHISHI_IMPORT_MAX_UNCOMPRESSED_BYTES", 2**30)

# Cookies are secure-only outside DEBUG (browsers accept them from http://localhost
# too). An intranet served over plain HTTP must say so with SHISHI_HTTPS=0.
SESSION_COOKIE_SECURE = envbool("SHISHI_HTTPS", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts, styles, images, fonts and
# connections from the site itself only; no plugins, no framing, forms post
# only here. Pages use static files only; a template that needs an inline
# block gives it nonce="{{ request.csp_nonce }}" (NONCE below). The API docs
# relax styles and workers for themselves (shishi/api/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp_constants.SELF],
        "script-src": [csp_constants.SELF, csp_constants.NONCE],
        "style-src": [csp_constants.SELF, csp_constants.NONCE],
        "img-src": [csp_constants.SELF, "data:", "blob:"],
        "font-src": [csp_constants.SELF, "data:"],
        "connect-src": [csp_constants.SELF],
        "object-src": [csp_constants.NONE],
        "base-uri": [csp_constants.SELF],
        "form-action": [csp_constants.SELF],
        "frame-ancestors": [csp_constants.NONE],
    }
}
# Behind a TLS proxy (see README, "Deploying behind a proxy"): the proxy says
# the browser's request was HTTPS in X-Forwarded-Proto; only set this when the
# proxy always sets (or strips) that header, or a client could claim HTTPS.
# The proxy also writes the client's address into X-Real-IP, which the
# per-address limits then use (shishi.ops.proxy).
SHISHI_BEHIND_PROXY = envbool("SHISHI_BEHIND_PROXY", False)
if SHISHI_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HSTS: browsers use only HTTPS for this host for this many seconds (0: off).
# Turn it on once HTTPS works, as it cannot be taken back for that long.
SECURE_HSTS_SECONDS = envint("SHISHI_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SHISHI_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_SSL_REDIRECT = envbool("SHISHI_SSL_REDIRECT", False)

EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "shishi@localhost")

# How many rows a public list shows per page.
SHISHI_PAGE_SIZE = envint("SHISHI_PAGE_SIZE", 50)

# The cache holds rate-limit counters (Open311 keys, web filings, the REST API).
# A server with several worker processes needs one shared cache, or each
# process counts alone: set SHISHI_CACHE_URL to a Redis URL
# (redis://127.0.0.1:6379/1). Without it, each process has its own memory cache.
SHISHI_CACHE_URL = envstr("SHISHI_CACHE_URL")
if SHISHI_CACHE_URL:
    CACHES = {
        "default": {
            # Django's RedisCache, reusing its client objects (see the module).
            "BACKEND": "shishi.core.cache.SharedClientRedisCache",
            "LOCATION": SHISHI_CACHE_URL,
            "KEY_PREFIX": envstr("SHISHI_CACHE_PREFIX", "shishi"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Open311 GeoReport v2 (shishi.open311, at /open311/v2/). Client keys are made
# with `shishi apikey create --name NAME`; each key has its own limit per minute
# (this default unless set on the key); reads without a key are limited per
# client address. SHISHI_OPEN311_JURISDICTIONS: the jurisdiction_ids served
# (empty: any is accepted; several: clients must give one).
SHISHI_API_KEY_RATE_PER_MINUTE = envint("SHISHI_API_KEY_RATE_PER_MINUTE", 120)
SHISHI_OPEN311_ANONYMOUS_RATE_PER_MINUTE = envint("SHISHI_OPEN311_ANONYMOUS_RATE_PER_MINUTE", 60)
SHISHI_OPEN311_JURISDICTIONS = envlist("SHISHI_OPEN311_JURISDICTIONS", [])
SHISHI_OPEN311_PAGE_SIZE = envint("SHISHI_OPEN311_PAGE_SIZE", 50)
SHISHI_OPEN311_MAX_PAGE_SIZE = envint("SHISHI_OPEN311_MAX_PAGE_SIZE", 500)
# GET lists (services, requests, updates) are the same for every client for this
# many seconds (shared through the cache); 0 turns it off. A single request
# (requests/{id}) and tokens are never cached, so a client sees its own at once.
SHISHI_OPEN311_CACHE_SECONDS = envint("SHISHI_OPEN311_CACHE_SECONDS", 5)
# A request body larger than this is refused (a description is at most 4,000 characters).
SHISHI_OPEN311_MAX_BODY_BYTES = envint("SHISHI_OPEN311_MAX_BODY_BYTES", 256 * 1024)
# What discovery.{xml,json} tells clients.
SHISHI_OPEN311_CONTACT = envstr("SHISHI_OPEN311_CONTACT", "")
SHISHI_OPEN311_KEY_SERVICE = envstr("SHISHI_OPEN311_KEY_SERVICE", "")
SHISHI_OPEN311_CHANGESET = envstr("SHISHI_OPEN311_CHANGESET", "2026-11-29T00:00:00+08:00")
# Queued mode: a POST is checked, kept as one row and answered with a token;
# the task open311.drain (a worker must run) files the queue as appeals every
# SHISHI_OPEN311_QUEUE_INTERVAL seconds. Off: each POST files its appeal at once.
SHISHI_OPEN311_QUEUE = envbool("SHISHI_OPEN311_QUEUE", False)
SHISHI_OPEN311_QUEUE_INTERVAL = envint("SHISHI_OPEN311_QUEUE_INTERVAL", 2)

# Service levels (shishi.service_levels): the working hours of a working day,
# local time, for limits counted in working hours or days.
SHISHI_WORKING_HOURS = envstr("SHISHI_WORKING_HOURS", "09:00-12:00,13:30-17:30")
# The three rates (shishi.reports.rates): units below these are flagged.
SHISHI_RATE_THRESHOLDS = {"response": 0.92, "resolution": None, "satisfaction": 0.85}

# The REST API (shishi.api). Its views set their own authentication (token or
# session), permissions, paging and throttling (see shishi/api/base.py), so
# other DRF views keep DRF's defaults; only the schema class is global.
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Shishi REST API",
    "DESCRIPTION": (
        "The ledger for staff systems: appeals, ledger items, claims, weekly "
        "reports, settlements, follow-ups, units and categories. Authenticate with "
        "`Authorization: Token <key>` (`shishi apitoken create --user NAME`)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The docs pages load Swagger UI and Redoc from our own static files, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ItemKindEnum": "shishi.ledger.models.ItemKind",
        "UnitKindEnum": "shishi.org.models.UnitKind",
        "ItemStatusEnum": "shishi.ledger.models.ItemStatus",
        "AppealStatusEnum": "shishi.intake.models.AppealStatus",
    },
}
# Rows per page of an API list, and the most a client may ask for (?page_size=).
SHISHI_API_PAGE_SIZE = envint("SHISHI_API_PAGE_SIZE", 50)
SHISHI_API_MAX_PAGE_SIZE = envint("SHISHI_API_MAX_PAGE_SIZE", 500)
# Requests per token (or logged-in user) and per anonymous address; over it, 429
# with Retry-After. DRF's format: "1000/hour", "20/minute"; empty: no limit.
SHISHI_API_USER_RATE = envstr("SHISHI_API_USER_RATE", "5000/hour")
SHISHI_API_ANON_RATE = envstr("SHISHI_API_ANON_RATE", "100/hour")

# Sweeps, reminders and supervision orders (shishi.supervision.sweeps). The
# approaching windows: appeals due within this many hours, items within days.
SHISHI_APPEAL_DUE_SOON_HOURS = envint("SHISHI_APPEAL_DUE_SOON_HOURS", 4)
SHISHI_ITEM_DUE_SOON_DAYS = envint("SHISHI_ITEM_DUE_SOON_DAYS", 7)
# Appeal reminders are digests, at most one per person per window of these hours.
SHISHI_APPEAL_DIGEST_HOURS = envint("SHISHI_APPEAL_DIGEST_HOURS", 4)
# Missing weekly reports are reminded from this weekday on (0 Monday … 6 Sunday).
SHISHI_REPORT_REMINDER_WEEKDAY = envint("SHISHI_REPORT_REMINDER_WEEKDAY", 3)
# An item under way this many days past its deadline gets a supervision order;
# once that order is closed, another only if still overdue this many days later.
SHISHI_ESCALATE_AFTER_DAYS = envint("SHISHI_ESCALATE_AFTER_DAYS", 1)
SHISHI_REESCALATE_AFTER_DAYS = envint("SHISHI_REESCALATE_AFTER_DAYS", 7)
SHISHI_ORDER_ANSWER_DAYS = envint("SHISHI_ORDER_ANSWER_DAYS", 3)
# A username: every order goes to this supervisor. Empty: the least loaded one.
SHISHI_SUPERVISOR = envstr("SHISHI_SUPERVISOR")
# Reminders are also mailed to staff with an e-mail address when this is on
# (by default when EMAIL_BACKEND is set); links in them start with the site URL.
SHISHI_REMINDER_EMAIL = envbool("SHISHI_REMINDER_EMAIL", bool(envstr("EMAIL_BACKEND")))

# Jobs (shishi.jobs): seconds between runs of each task, for `shishi worker`
# and for Celery beat alike. A task not named runs every SHISHI_JOB_INTERVAL.
SHISHI_JOB_INTERVAL = envint("SHISHI_JOB_INTERVAL", 15 * 60)
SHISHI_JOB_INTERVALS = {
    "reminders.mail": envint("SHISHI_MAIL_INTERVAL", 60),
    # Seconds while queued mode is on; otherwise it only drains what was left.
    "open311.drain": SHISHI_OPEN311_QUEUE_INTERVAL if SHISHI_OPEN311_QUEUE else SHISHI_JOB_INTERVAL,
    "suggestions.train": envint("SHISHI_SUGGESTIONS_INTERVAL", 60 * 60),
}
# Suggestions (shishi.suggestions): where the trained models are kept, and the
# caps that bound a training run and a web process's memory at a city's scale:
# labelled appeals learnt from (newest first), unlabelled ones, appeals held in
# the duplicate index; hot issues cluster the newest waiting appeals of a window.
SHISHI_SUGGESTIONS_DIR = Path(envstr("SHISHI_SUGGESTIONS_DIR") or DATA_DIR / "suggestions")
SHISHI_SUGGESTIONS_TRAIN_MAX = envint("SHISHI_SUGGESTIONS_TRAIN_MAX", 20_000)
SHISHI_SUGGESTIONS_UNLABELLED_MAX = envint("SHISHI_SUGGESTIONS_UNLABELLED_MAX", 3_000)
SHISHI_SUGGESTIONS_INDEX_MAX = envint("SHISHI_SUGGESTIONS_INDEX_MAX", 50_000)
SHISHI_HOT_ISSUES_DAYS = envint("SHISHI_HOT_ISSUES_DAYS", 90)
SHISHI_HOT_ISSUES_MAX = envint("SHISHI_HOT_ISSUES_MAX", 3_000)
# How long a worker holds a task it runs; one that dies is replaced after this.
SHISHI_JOB_LEASE = envint("SHISHI_JOB_LEASE", 30 * 60)
# /healthz (shishi.ops): the worker counts as alive while it claimed a task
# within this many seconds; whether a dead one makes the site unhealthy (503)
# (by default where work waits for a worker: with Celery or Open311's queue).
SHISHI_HEALTHZ_WORKER_STALE_SECONDS = envint("SHISHI_HEALTHZ_WORKER_STALE_SECONDS", 300)
SHISHI_HEALTHZ_WORKER_REQUIRED = envbool(
    "SHISHI_HEALTHZ_WORKER_REQUIRED",
    bool(envstr("CELERY_BROKER_URL")) or SHISHI_OPEN311_QUEUE,
)
# Celery is used only when a broker is configured (Redis or RabbitMQ URL);
# otherwise `shishi worker` runs the same tasks in one process.
CELERY_BROKER_URL = envstr("CELERY_BROKER_URL")
CELERY_RESULT_BACKEND = envstr("CELERY_RESULT_BACKEND") or None
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
# A task whose worker died is delivered again rather than lost.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"expected_refusals": {"()": "shishi.ops.logging.ExpectedRefusalFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    # WeasyPrint logs every step of every PDF at INFO.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # 403 and 404 are logged as one line, without a traceback.
        "django.request": {"filters": ["expected_refusals"]},
        "django.security": {"filters": ["expected_refusals"]},
    },
}

# --- intakeplus: hotline intake, notices to residents, jobs in the server ---
# Notices to residents (shishi.notices), by e-mail and by SMS. E-mail goes
# through SHISHI_NOTICE_EMAIL_BACKEND: EMAIL_BACKEND when that is set, else
# files in SHISHI_NOTICE_EMAIL_DIR (so the demo prints no residents' mail). SMS
# goes through SHISHI_SMS_BACKEND: "file" (default: one JSON line per message in
# SHISHI_SMS_FILE_PATH), "console", "tencent" (Tencent Cloud SMS, with the
# SHISHI_SMS_TENCENT_* settings) or a dotted path to a backend class.
SHISHI_NOTICE_CHANNELS = envlist("SHISHI_NOTICE_CHANNELS", ["email", "sms"])
SHISHI_NOTICE_EMAIL_BACKEND = envstr("SHISHI_NOTICE_EMAIL_BACKEND") or (
    envstr("EMAIL_BACKEND") or "django.core.mail.backends.filebased.EmailBackend"
)
SHISHI_NOTICE_EMAIL_DIR = Path(envstr("SHISHI_NOTICE_EMAIL_DIR") or DATA_DIR / "mail-outbox")
SHISHI_SMS_BACKEND = envstr("SHISHI_SMS_BACKEND", "file")
SHISHI_SMS_FILE_PATH = Path(envstr("SHISHI_SMS_FILE_PATH") or DATA_DIR / "sms-outbox.jsonl")
SHISHI_SMS_TENCENT_SECRET_ID = envstr("SHISHI_SMS_TENCENT_SECRET_ID")
SHISHI_SMS_TENCENT_SECRET_KEY = envstr("SHISHI_SMS_TENCENT_SECRET_KEY")
SHISHI_SMS_TENCENT_REGION = envstr("SHISHI_SMS_TENCENT_REGION", "ap-guangzhou")
SHISHI_SMS_TENCENT_APP_ID = envstr("SHISHI_SMS_TENCENT_APP_ID")
SHISHI_SMS_TENCENT_SIGN_NAME = envstr("SHISHI_SMS_TENCENT_SIGN_NAME")
# A template with one parameter {1}: the notice's text.
SHISHI_SMS_TENCENT_TEMPLATE_ID = envstr("SHISHI_SMS_TENCENT_TEMPLATE_ID")
# Notices older than this when first seen are not sent (a restored backup, a
# demo built in the past): recorded as skipped.
SHISHI_NOTICE_MAX_AGE_DAYS = envint("SHISHI_NOTICE_MAX_AGE_DAYS", 3)
# A failed delivery is tried again after 1, 2, 4 … minutes, at most this many times.
SHISHI_NOTICE_MAX_ATTEMPTS = envint("SHISHI_NOTICE_MAX_ATTEMPTS", 6)
SHISHI_NOTICE_RETRY_BASE = envint("SHISHI_NOTICE_RETRY_BASE", 60)
SHISHI_NOTICE_BATCH = envint("SHISHI_NOTICE_BATCH", 200)
SHISHI_JOB_INTERVALS["notices.deliver"] = envint("SHISHI_NOTICE_INTERVAL", 60)
# `shishi serve` runs the background jobs in a thread of the server process
# (claimed per task in the database, so several servers never run one twice).
SHISHI_SERVE_JOBS = envbool("SHISHI_SERVE_JOBS", True)
