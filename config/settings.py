"""The one settings module. Every difference between environments comes from environment values.

`CLINIC_ENVIRONMENT` is `development`, `test` or `production` (the default, so that a forgotten
variable fails safe). `.env.example` lists every variable this module reads.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import tempfile
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


CLINIC_ENVIRONMENT = os.environ.get("CLINIC_ENVIRONMENT", "production")
if CLINIC_ENVIRONMENT not in {"development", "test", "production"}:
    raise ImproperlyConfigured(
        f"CLINIC_ENVIRONMENT must be development, test or production, not {CLINIC_ENVIRONMENT!r}"
    )
IS_PRODUCTION = CLINIC_ENVIRONMENT == "production"

DEBUG = env_bool("DJANGO_DEBUG", CLINIC_ENVIRONMENT == "development")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if IS_PRODUCTION:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it to a long random value, for example the output of "
            "python -c 'import secrets; print(secrets.token_urlsafe(64))'."
        )
    SECRET_KEY = "insecure-development-key-never-used-in-production-" + CLINIC_ENVIRONMENT

# The key that seals the audit chain (HMAC-SHA-256, clinic.audit.chain). Keep it secret and apart
# from the database, and never change it: rows sealed with an old key no longer verify. Without
# it, a key derived from SECRET_KEY is used (so rotating SECRET_KEY would then break the chain).
CLINIC_AUDIT_KEY = (
    os.environ.get("CLINIC_AUDIT_KEY")
    or hashlib.sha256(f"clinic-audit-chain:{SECRET_KEY}".encode()).hexdigest()
)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if IS_PRODUCTION else "127.0.0.1,localhost,testserver")
if IS_PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is not set. List the host names this clinic is served on, comma-separated."
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# A refused form (expired page, another site's post) says what to do, on the clinic's own page.
CSRF_FAILURE_VIEW = "clinic.core.views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "ninja",
    "clinic.core",
    "clinic.audit",
    "clinic.accounts",
    "clinic.patients",
    "clinic.intake",
    "clinic.assessments",
    "clinic.evaluation",
    "clinic.treatment",
    "clinic.scheduling",
    "clinic.sessions",
    "clinic.monitoring",
    "clinic.reviews",
    "clinic.inventory",
    "clinic.letters",
    "clinic.messaging",
    "clinic.interop",
    "clinic.configuration",
    "clinic.outcomes",
    "clinic.dashboard",
    "clinic.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # Outermost but for the headers above, so that it also marks the redirects and refusals the
    # middleware below answers with.
    "clinic.core.caching.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "clinic.core.middleware.RejectNullCharactersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "clinic.audit.middleware.AuditContextMiddleware",
    "clinic.audit.middleware.AuditRefusalMiddleware",
    "clinic.accounts.middleware.SessionTimeoutMiddleware",
    "clinic.accounts.middleware.RequireTwoFactorMiddleware",
    "clinic.accounts.middleware.LocationTimeZoneMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Axes last, as its documentation asks: it turns lockouts into a response.
    "axes.middleware.AxesMiddleware",
]

if IS_PRODUCTION:
    # WhiteNoise serves the collected static files in production; development and tests use
    # Django's staticfiles finders (runserver and the live test server serve them).
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "clinic" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clinic.context_processors.clinic",
            ],
            # The date variants (weekday, live clock) in every template, as |date is.
            "builtins": ["clinic.core.templatetags.clinic_dates"],
        },
    },
]

# SQLite is the zero-set-up default; DATABASE_URL (postgres://...) selects PostgreSQL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        # Production keeps connections open between requests (opening one per request costs a
        # third of a page's throughput); the health check replaces a connection the database
        # closed meanwhile instead of failing the request on it.
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60" if IS_PRODUCTION else "0")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    # WAL and a busy timeout let the development server and a shell write side by side.
    DATABASES["default"]["OPTIONS"].update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    if CLINIC_ENVIRONMENT == "test":
        # The test database lives in a file, not in shared-cache memory: the browser tests' live
        # server answers two signed-in pages at once, and shared-cache memory refuses a second
        # writer at once ("database table is locked") where a file database waits its turn
        # (the busy timeout above). One file per test process (pytest-django adds a suffix per
        # xdist worker too), in the system's temporary directory, so that two test runs side by
        # side never share, or delete, each other's database.
        DATABASES["default"].setdefault("TEST", {})
        DATABASES["default"]["TEST"].setdefault(
            "NAME",
            str(Path(tempfile.gettempdir()) / f"ketamine-clinic-test-{os.getpid()}.sqlite3"),
        )
# A PostgreSQL streaming replica (postgres://...) that reports may read from: the router sends a
# read there only inside `reporting_reads()`, outside any transaction and before the block writes
# (clinic.core.routing, docs/scaling.md). Unset: no `replica` alias, no router, nothing changes.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL,
        conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
        conn_health_checks=True,
    )
    # Under tests the replica is read as a mirror of the primary's test database: nothing can be
    # created on a replica, and the primary's test database reaches it by replication.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
elif CLINIC_ENVIRONMENT == "test" and env_bool("CLINIC_TEST_REPLICA_MIRROR", False):
    # The test suite (pyproject's pytest_env) runs with a `replica` alias mirroring the test
    # database, so that the reports' tests go through the router on SQLite and PostgreSQL alike.
    DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
DATABASE_ROUTERS = ["clinic.core.routing.ReportingReadsRouter"] if "replica" in DATABASES else []
# A replica further behind than this (its replay, in seconds) is not read: the reports read from
# the primary until it catches up.
DATABASE_REPLICA_MAX_LAG_SECONDS = float(os.environ.get("DATABASE_REPLICA_MAX_LAG_SECONDS", "5"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out login before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if CLINIC_ENVIRONMENT == "test":
    # Argon2 at full cost makes a suite of thousands of logins crawl; tests prove the production
    # hasher separately (clinic/accounts/tests/test_passwords.py).
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "intake:home"

# Sessions end after CLINIC_SESSION_IDLE_MINUTES without a request and always when the browser
# closes. The idle limit is enforced by clinic.accounts.middleware.SessionTimeoutMiddleware, which
# signs the person out and audits it (HIPAA §164.312(a)(2)(iii) automatic logoff). The stored
# session must outlive that limit: were it to expire at the same moment, the next request would
# find no session at all, and the sign-out would never be audited. The margin does not extend
# access (the middleware refuses an idle session whatever its stored age).
CLINIC_SESSION_IDLE_MINUTES = int(os.environ.get("CLINIC_SESSION_IDLE_MINUTES", "30"))
CLINIC_SESSION_STORE_MARGIN_HOURS = int(os.environ.get("CLINIC_SESSION_STORE_MARGIN_HOURS", "12"))
SESSION_COOKIE_AGE = CLINIC_SESSION_IDLE_MINUTES * 60 + CLINIC_SESSION_STORE_MARGIN_HOURS * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Staff must pass a TOTP second factor when this is on (default: on outside development).
CLINIC_REQUIRE_2FA = env_bool("CLINIC_REQUIRE_2FA", CLINIC_ENVIRONMENT == "production")
OTP_TOTP_ISSUER = os.environ.get("CLINIC_NAME", "Ketamine Clinic")

# django-axes: five wrong passwords for one account from one address lock it for 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_VERBOSE = False
# The lock-out counts per client address as clinic.audit.context.client_ip sees it (behind a
# trusted reverse proxy: the client's, not the proxy's).
AXES_CLIENT_IP_CALLABLE = "clinic.audit.context.client_ip"


def env_networks(name: str) -> list[str]:

    networks = env_list(name)
    for entry in networks:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} lists IP addresses or networks (e.g. 10.0.0.5,10.1.0.0/16), not {entry!r}"
            ) from None
    return networks


# Reverse proxies whose X-Forwarded-For is believed (addresses or CIDR networks, comma-separated).
# Empty (the default): none is, and every client is known by REMOTE_ADDR. Behind a proxy, list it
# here, or every client shares the proxy's address for lock-outs, rate limits and the audit log.
CLINIC_TRUSTED_PROXIES = env_networks("CLINIC_TRUSTED_PROXIES")

LANGUAGE_CODE = "en-us"
# The product's date and time formats (one of each, US English): config/formats/en/formats.py.
FORMAT_MODULE_PATH = ["config.formats"]
USE_I18N = True
USE_TZ = True
# The zone used when neither the viewer nor the record has a location yet.
CLINIC_DEFAULT_TIME_ZONE = os.environ.get("CLINIC_DEFAULT_TIME_ZONE", "America/New_York")
# Stored times are UTC whatever this says (USE_TZ). It is the zone "today" and "now" are read in
# outside a request (the reminder and export commands, background tasks, the demo loader), so it is
# the clinic's own: a UTC default made "today" the next day from 19:00 in New York, and a command
# run in the evening booked, dated and refused by tomorrow's date. A request still reads times in
# its viewer's zone (LocationTimeZoneMiddleware).
TIME_ZONE = CLINIC_DEFAULT_TIME_ZONE

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if IS_PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
        if os.environ.get("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Background work (e-mail) through django-tasks: queued in the database and run by the worker
# (`python manage.py db_worker`, which `make run` starts beside the server); tests run each task
# when it is queued.
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if CLINIC_ENVIRONMENT == "test"
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}

# E-mail: console in development, in-memory in tests, SMTP from the environment in production.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    {
        "development": "django.core.mail.backends.console.EmailBackend",
        "test": "django.core.mail.backends.locmem.EmailBackend",
        "production": "django.core.mail.backends.smtp.EmailBackend",
    }[CLINIC_ENVIRONMENT],
)
# Text messages (clinic.core.sms): logged in development, kept in memory in tests; set
# SMS_BACKEND=clinic.core.sms.TwilioBackend and the TWILIO_* values to send them.
SMS_BACKEND = os.environ.get(
    "SMS_BACKEND",
    {
        "development": "clinic.core.sms.ConsoleBackend",
        "test": "clinic.core.sms.MemoryBackend",
        "production": "clinic.core.sms.ConsoleBackend",
    }[CLINIC_ENVIRONMENT],
)
TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "")
TWILIO_FROM_NUMBER = os.environ.get("TWILIO_FROM_NUMBER", "")
TWILIO_API_BASE_URL = os.environ.get("TWILIO_API_BASE_URL", "https://api.twilio.com")
# The country whose numbers may be typed without the +country code (ISO 3166 two letters).
CLINIC_PHONE_REGION = os.environ.get("CLINIC_PHONE_REGION", "US")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Ketamine Clinic <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where new consultation requests are announced.
CLINIC_INTAKE_EMAIL = os.environ.get("CLINIC_INTAKE_EMAIL", "intake@localhost")
# Absolute base of links in e-mails (no request to derive it from in background work).
CLINIC_BASE_URL = os.environ.get("CLINIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# Public consultation form: at most this many submissions per IP address per hour.
CLINIC_CONSULTATION_RATE_LIMIT_PER_HOUR = int(
    os.environ.get("CLINIC_CONSULTATION_RATE_LIMIT_PER_HOUR", "5")
)

# Production hardening: `manage.py check --deploy` passes with no warnings.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("CLINIC_BEHIND_TLS_PROXY", False) else None
)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", IS_PRODUCTION)
SESSION_COOKIE_SECURE = IS_PRODUCTION
CSRF_COOKIE_SECURE = IS_PRODUCTION
SECURE_HSTS_SECONDS = int(
    os.environ.get("SECURE_HSTS_SECONDS", "31536000" if IS_PRODUCTION else "0")
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = IS_PRODUCTION
SECURE_HSTS_PRELOAD = IS_PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): scripts, styles and connections only from this site, never
# inline, never eval. A script injected into a page (through a patient's free text, say) does not
# run, and the pages cannot be framed. So the templates and the HTML the code builds carry no
# <script> body, style attribute or on...= handler (clinic/core/tests/test_csp.py walks them), and
# htmx runs with eval off and its indicator styles in clinic.css (base.html's htmx-config).
# https://developer.mozilla.org/en-US/docs/Web/HTTP/Guides/CSP
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# Structured logs carry ids only; no patient data goes to logs.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # Refused requests (403/404) are audited; the request log keeps only server errors.
    # WeasyPrint logs each drawing step at INFO (seven lines a PDF); its warnings still show.
    "loggers": {
        "axes": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
        "weasyprint": {"level": "WARNING"},
    },
}
