"""The one settings module. Everything that differs between installations comes
from the environment, read through the typed helpers below."""

import datetime as dt
import os
from pathlib import Path

import dj_database_url
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
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

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
    "shishi.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "shishi.core.middleware.LanguageMiddleware",
    "shishi.core.middleware.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its response.
    "axes.middleware.AxesMiddleware",
]

# django-axes counts failed logins per username and address and locks that pair
# out for a while: guessing passwords becomes slow. Its backend goes first.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = envint("SHISHI_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=envint("SHISHI_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
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
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
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

EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "shishi@localhost")

# How many rows a public list shows per page.
SHISHI_PAGE_SIZE = envint("SHISHI_PAGE_SIZE", 50)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    # WeasyPrint logs every step of every PDF at INFO.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
