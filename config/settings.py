"""Atrium settings.

Development, tests and production differ only by environment variables. The defaults are
the embedded ones (SQLite and files under var/, a filesystem Celery broker, email and SMS
written to files); DATABASE_URL, REDIS_URL, STRIPE_*, TWILIO_* and AWS_* switch to the real
services. Every variable is listed in .env.example.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import django_stubs_ext
import environ
from celery.schedules import crontab
from csp.constants import NONCE

from core.languages import CODES as LANGUAGE_CODES
from core.languages import SETTINGS_LANGUAGES

# Lets classes subscript Django's generics at run time (admin.ModelAdmin[Model]) for mypy.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

# .env first: every variable below, ATRIUM_VAR_DIR included, may come from it (real
# environment variables still win: overwrite=False).
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
VAR_DIR = Path(env.str("ATRIUM_VAR_DIR", default=str(BASE_DIR / "var")))
# `make test` runs the suite in parallel (pytest-xdist sets PYTEST_XDIST_WORKER to gw0, gw1,
# ...): each test worker, and every server or Celery process a test starts, gets its own
# folder for the file cache, broker, mail and SMS files, and its own Redis database below.
TEST_WORKER = env.str("PYTEST_XDIST_WORKER", default="")
if TEST_WORKER:
    VAR_DIR = VAR_DIR / TEST_WORKER

# ---------------------------------------------------------------------------
# Core
# ---------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=False)
# Development without a .env gets a throwaway key; production must set SECRET_KEY
# (check --deploy fails on this one because it is short and prefixed "django-insecure").
SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-atrium-development-only-key")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
SITE_ID = 1

INSTALLED_APPS = [
    # Before the admin: firm-written texts (service names, the communication promise) in
    # every language, with the admin showing one field per language.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "guardian",
    "django_filters",
    "phonenumber_field",
    "csp",
    # Atrium's apps, lowest layer first (README, "Project layout").
    "core",
    "audit",
    "notifications",
    "portal",
    "scheduling",
    "billing",
    "intake",
    "insights",
    "config",  # the top layer: project-wide commands (seed_demo)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # NUL bytes in the address or a form: a 400 before any view (PostgreSQL cannot take them).
    "core.middleware.RefuseNulBytesMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # allauth's UserSessionsMiddleware, writing at most once every five minutes
    "portal.middleware.SessionActivityMiddleware",
    "portal.middleware.UserPreferencesMiddleware",
    "portal.middleware.StaffMfaRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.firm",
                # {{ privacy_url }}: the firm's privacy notice, linked from the booking form.
                "intake.context_processors.privacy",
                # {{ CSP_NONCE }}: the per-response nonce for the few inline <script>/<style>.
                "csp.context_processors.nonce",
            ],
        },
    },
]

# ---------------------------------------------------------------------------
# Database: SQLite under var/ unless DATABASE_URL is set (PostgreSQL in production)
# ---------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'atrium.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web process and the Celery worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
IS_POSTGRES = DATABASES["default"]["ENGINE"] in ("django.db.backends.postgresql", "core.postgresql")
if IS_POSTGRES:
    # Django's backend with psycopg's C timestamptz loader (core/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "core.postgresql"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ---------------------------------------------------------------------------
# Cache: Redis when REDIS_URL is set, otherwise a file cache shared by all processes
# (login rate limits must hold across the web workers).
# ---------------------------------------------------------------------------
# While Redis is unreachable the cache answers from memory (core.cache): pages read from
# the database and rate limits keep counting per process; short timeouts bound the wait.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL and TEST_WORKER:
    # Test worker N uses the database after REDIS_URL's by N (tests clear their database).
    _base, _, _db = REDIS_URL.rpartition("/")
    REDIS_URL = f"{_base}/{int(_db or 0) + int(TEST_WORKER.removeprefix('gw'))}"
ATRIUM_REDIS_CACHE_BACKEND = "core.cache.ResilientRedisCache"
ATRIUM_REDIS_CACHE_OPTIONS = {
    "socket_connect_timeout": env.float("CACHE_CONNECT_TIMEOUT", default=1.0),
    "socket_timeout": env.float("CACHE_SOCKET_TIMEOUT", default=1.0),
}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": ATRIUM_REDIS_CACHE_BACKEND,
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="atrium"),
            "OPTIONS": ATRIUM_REDIS_CACHE_OPTIONS,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# ---------------------------------------------------------------------------
# Celery: Redis when REDIS_URL is set, otherwise a filesystem broker under var/
# ---------------------------------------------------------------------------
if REDIS_URL:
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {"visibility_timeout": 3600}
else:
    # A named host keeps kombu from warning "No hostname was supplied" on every connection.
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://localhost//")
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(VAR_DIR / "broker"),
        "data_folder_out": str(VAR_DIR / "broker"),
        "processed_folder": str(VAR_DIR / "broker-processed"),
        "control_folder": str(VAR_DIR / "broker-control"),
        "store_processed": False,
        # The worker takes one message per poll: at kombu's default of a second, the
        # demo's queued emails kept a payment confirmation waiting for many seconds.
        "polling_interval": 0.2,
    }
    for _folder in ("broker", "broker-processed", "broker-control"):
        (VAR_DIR / _folder).mkdir(parents=True, exist_ok=True)
# Publishing from a web request (kombu's default channel) tries an unreachable broker once
# more after 0.2 s instead of retrying for seconds: the outbox rows are already committed
# and the sweep sends them when the broker is back. Workers reconnect by their own settings.
CELERY_BROKER_TRANSPORT_OPTIONS.update({"max_retries": 1, "interval_start": 0.2})
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "clear-expired-sessions": {
        "task": "portal.tasks.sessions_clear_expired",
        "schedule": 6 * 3600,
    },
}

# ---------------------------------------------------------------------------
# Accounts: django-allauth, MFA, django-guardian
# ---------------------------------------------------------------------------
AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_ADAPTER = "portal.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
# allauth's defaults, stated so the limits are visible: the 6th failed login for one
# address within 5 minutes is refused whatever X-Forwarded-For says.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "login": "30/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
# Only trust X-Forwarded-For from the number of proxies actually in front of gunicorn.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("ATRIUM_TRUSTED_PROXY_COUNT", default=0)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
MFA_TOTP_ISSUER = env.str("ATRIUM_MFA_ISSUER", default="Atrium")
USERSESSIONS_TRACK_ACTIVITY = True
# Staff and co-counsel must enrol in MFA before reaching anything; on by default
# whenever DEBUG is off.
ATRIUM_REQUIRE_STAFF_MFA = env.bool("ATRIUM_REQUIRE_STAFF_MFA", default=not DEBUG)
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False
ANONYMOUS_USER_NAME = None
ATRIUM_INVITATION_DAYS = env.int("ATRIUM_INVITATION_DAYS", default=7)

# ---------------------------------------------------------------------------
# Sessions and security
# ---------------------------------------------------------------------------
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 12)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_COOKIES = env.bool("SECURE_COOKIES", default=not DEBUG and SITE_URL.startswith("https"))
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts and styles come from our own origin or carry
# the response's nonce; no 'unsafe-inline', no eval, no plugins, nothing may frame a page
# (the booking embed widens frame-ancestors to ATRIUM_BOOKING_FRAME_ANCESTORS itself).
# form-action allows Stripe Checkout because "Pay" posts here and is redirected there.
# ATRIUM_CSP_REPORT_ONLY=1 only reports (for trying a change out); `check --deploy` warns
# when it is on, so production enforces the policy.
ATRIUM_CSP_REPORT_ONLY = env.bool("ATRIUM_CSP_REPORT_ONLY", default=False)
_CSP_POLICY: dict[str, dict[str, Any]] = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", NONCE],
        "img-src": ["'self'", "data:"],  # data: for the MFA set-up QR code
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'", "https://checkout.stripe.com"],
        "frame-ancestors": ["'none'"],
        **(
            {"report-uri": [env.str("ATRIUM_CSP_REPORT_URI")]}
            if env.str("ATRIUM_CSP_REPORT_URI", default="")
            else {}
        ),
    },
}
if ATRIUM_CSP_REPORT_ONLY:
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP_POLICY
    # Framing stays enforced while the rest only reports.
    CONTENT_SECURITY_POLICY: dict[str, dict[str, Any]] = {
        "DIRECTIVES": {"default-src": None, "frame-ancestors": ["'none'"]},
    }
else:
    CONTENT_SECURITY_POLICY = _CSP_POLICY
CSRF_FAILURE_VIEW = "portal.views.public.csrf_failure"
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=[])

# ---------------------------------------------------------------------------
# Languages and time
# ---------------------------------------------------------------------------
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
LANGUAGES = SETTINGS_LANGUAGES  # core/languages.py: the one list
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
# Firm-written texts: one column per language; a text missing in the reader's language
# falls back to the firm's default language, then to the others (core/languages.py).
MODELTRANSLATION_DEFAULT_LANGUAGE = LANGUAGE_CODE if LANGUAGE_CODE in LANGUAGE_CODES else "en"
MODELTRANSLATION_LANGUAGES = LANGUAGE_CODES
# English output formats day-first on a 24-hour clock (config/formats/en/formats.py).
FORMAT_MODULE_PATH = ["config.formats"]
USE_TZ = True
TIME_ZONE = "UTC"

# ---------------------------------------------------------------------------
# Static and private files
# ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
PRIVATE_ROOT = Path(env.str("ATRIUM_PRIVATE_ROOT", default=str(VAR_DIR / "private")))
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    _private_storage: dict[str, object] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "access_key": env.str("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default=None),
            "region_name": env.str("AWS_S3_REGION_NAME", default=None),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", default=300),
            "file_overwrite": False,
            "location": env.str("AWS_LOCATION", default="private"),
        },
    }
else:
    # No base_url: private files are only ever served by permission-checked views.
    _private_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_ROOT), "base_url": None},
    }
STORAGES = {
    "default": _private_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
ATRIUM_MAX_UPLOAD_MB = env.int("ATRIUM_MAX_UPLOAD_MB", default=100)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_TEMP_DIR = env.str("FILE_UPLOAD_TEMP_DIR", default=None)

# ---------------------------------------------------------------------------
# Portal: documents and search
# ---------------------------------------------------------------------------
# The size limit is enforced while the body streams (portal/uploads.py), before Django's
# own handlers keep anything in memory or in a temporary file.
FILE_UPLOAD_HANDLERS = [
    "portal.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# How long a presigned S3 download link works, in seconds.
ATRIUM_DOWNLOAD_URL_SECONDS = env.int("ATRIUM_DOWNLOAD_URL_SECONDS", default=300)
# Optional clamd antivirus: when a host is set every upload is scanned; while clamd cannot
# be reached the file waits in quarantine (not downloadable) and is scanned again later.
ATRIUM_CLAMD_HOST = env.str("ATRIUM_CLAMD_HOST", default="")
ATRIUM_CLAMD_PORT = env.int("ATRIUM_CLAMD_PORT", default=3310)
ATRIUM_CLAMD_TIMEOUT = env.float("ATRIUM_CLAMD_TIMEOUT", default=30.0)

# ---------------------------------------------------------------------------
# Email and SMS: files under var/ unless a provider is configured
# ---------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Atrium <no-reply@atrium.local>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
ANYMAIL = {k[len("ANYMAIL_") :]: v for k, v in env.ENVIRON.items() if k.startswith("ANYMAIL_")}
# A slow provider holds one sweep for at most this long per message, never a page (pages
# only queue messages); the row is retried (NOTIFICATIONS_RETRY_DELAYS).
EMAIL_TIMEOUT = env.float("EMAIL_TIMEOUT", default=10.0)
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM_NUMBER = env.str("TWILIO_FROM_NUMBER", default="")
TWILIO_TIMEOUT = env.float("TWILIO_TIMEOUT", default=10.0)
# An outbound HTTPS proxy for Twilio (https://proxy.internal:3128), if the network needs one.
TWILIO_HTTPS_PROXY = env.str("TWILIO_HTTPS_PROXY", default="")
SMS_FILE_PATH = str(VAR_DIR / "sms")

# ---------------------------------------------------------------------------
# Logging: plain lines to stderr; values are never secrets or message bodies
# ---------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# ---------------------------------------------------------------------------
# Notifications: reminders, retries and the sweep (notifications/, README "Reminders")
# ---------------------------------------------------------------------------
# Offsets before an appointment, in minutes, unless the service sets its own.
NOTIFICATIONS_REMINDER_OFFSETS = env.list(
    "NOTIFICATIONS_REMINDER_OFFSETS", cast=int, default=[24 * 60, 2 * 60]
)
# A claimed row not finished within this many seconds belongs to a dead worker.
NOTIFICATIONS_LEASE_SECONDS = env.int("NOTIFICATIONS_LEASE_SECONDS", default=60)
NOTIFICATIONS_SWEEP_BATCH = env.int("NOTIFICATIONS_SWEEP_BATCH", default=20)
# Attempts per message (the first one included) and the waits between them, in seconds.
NOTIFICATIONS_MAX_ATTEMPTS = env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=4)
NOTIFICATIONS_RETRY_DELAYS = env.list(
    "NOTIFICATIONS_RETRY_DELAYS", cast=int, default=[60, 300, 900]
)
# Secure-message notices wait this long so several messages make one notice.
NOTIFICATIONS_MESSAGE_DIGEST_MINUTES = env.int("NOTIFICATIONS_MESSAGE_DIGEST_MINUTES", default=5)
NOTIFICATIONS_DUE_REMINDER_DAYS = env.int("NOTIFICATIONS_DUE_REMINDER_DAYS", default=1)
# Full public URL Twilio posts delivery reports to (defaults to SITE_URL + the route).
TWILIO_STATUS_CALLBACK_URL = env.str("TWILIO_STATUS_CALLBACK_URL", default="")
TWILIO_HTTP_CLIENT_CLASS = env.str("TWILIO_HTTP_CLIENT_CLASS", default="")
SMS_FILE_PATH = env.str("SMS_FILE_PATH", default=SMS_FILE_PATH)
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=EMAIL_FILE_PATH)
CELERY_BEAT_SCHEDULE.update(
    {
        "notifications-sweep": {
            "task": "notifications.tasks.deliveries_sweep",
            "schedule": float(env.int("NOTIFICATIONS_SWEEP_SECONDS", default=60)),
            # A sweep that waited longer than a minute is replaced by the next.
            "options": {"expires": 55},
        },
        # Invitations whose immediate task never reached the broker.
        "portal-invitations-unsent": {
            "task": "portal.tasks.invitations_unsent_deliver",
            "schedule": 300.0,
            "options": {"expires": 290},
        },
        # Search text of uploads whose extraction task never reached the broker.
        "portal-documents-text-pending": {
            "task": "portal.tasks.documents_text_extract_pending",
            "schedule": 300.0,
            "options": {"expires": 290},
        },
        # Due-date notices and the silence digest (portal owns both).
        "portal-daily-notices": {
            "task": "portal.tasks.daily_notices",
            "schedule": crontab(hour=6, minute=0),
        },
    }
)

# ---------------------------------------------------------------------------
# Scheduling: external busy calendars, embed mode, booking rate limit (scheduling/)
# ---------------------------------------------------------------------------
# Origins (e.g. https://www.firm.example) allowed to frame /book/?embed=1.
ATRIUM_BOOKING_FRAME_ANCESTORS = env.list("ATRIUM_BOOKING_FRAME_ANCESTORS", default=[])
# GET /api/slots/ answers are cached this many seconds at most (0: never); any change to
# appointments, busy times, hours or services retires them at once (scheduling/slots_cache.py).
ATRIUM_SLOTS_CACHE_SECONDS = env.int("ATRIUM_SLOTS_CACHE_SECONDS", default=30)
# Bookings per client address per window (seconds) before 429.
ATRIUM_BOOKING_RATE_LIMIT = env.int("ATRIUM_BOOKING_RATE_LIMIT", default=10)
ATRIUM_BOOKING_RATE_WINDOW = env.int("ATRIUM_BOOKING_RATE_WINDOW", default=600)
# Feeds on loopback/private addresses are refused unless this is set (closed networks).
ATRIUM_CALENDAR_ALLOW_PRIVATE = env.bool("ATRIUM_CALENDAR_ALLOW_PRIVATE", default=False)
# Fernet keys (comma-separated, newest first) that encrypt calendar secrets such as CalDAV
# app passwords. Empty: derived from SECRET_KEY (development only; a deploy check warns).
ATRIUM_CALENDAR_KEYS = env.list("ATRIUM_CALENDAR_KEYS", default=[])
# CalDAV servers on the office network (host names) allowed despite a private address.
ATRIUM_CALDAV_ALLOWED_HOSTS = env.list("ATRIUM_CALDAV_ALLOWED_HOSTS", default=[])
# Connect and read timeout of each CalDAV request, and seconds between CalDAV syncs.
ATRIUM_CALDAV_TIMEOUT_SECONDS = env.float("ATRIUM_CALDAV_TIMEOUT_SECONDS", default=10.0)
# Google Calendar and Microsoft 365 connections: the firm's own OAuth app registrations
# (client secrets only from the environment; the staff calendar setup page shows the
# redirect URIs to register). Unset: those providers are not offered.
ATRIUM_GOOGLE_CLIENT_ID = env.str("ATRIUM_GOOGLE_CLIENT_ID", default="")
ATRIUM_GOOGLE_CLIENT_SECRET = env.str("ATRIUM_GOOGLE_CLIENT_SECRET", default="")
ATRIUM_MICROSOFT_CLIENT_ID = env.str("ATRIUM_MICROSOFT_CLIENT_ID", default="")
ATRIUM_MICROSOFT_CLIENT_SECRET = env.str("ATRIUM_MICROSOFT_CLIENT_SECRET", default="")
# "common" (work and personal accounts), "organizations", or the firm's tenant id.
ATRIUM_MICROSOFT_TENANT = env.str("ATRIUM_MICROSOFT_TENANT", default="common")
ATRIUM_CALENDAR_API_TIMEOUT_SECONDS = env.float("ATRIUM_CALENDAR_API_TIMEOUT_SECONDS", default=10.0)
# Push notifications from Google and Microsoft; used only when SITE_URL is public https
# (otherwise, and always as a fallback, connections are polled).
ATRIUM_CALENDAR_PUSH = env.bool("ATRIUM_CALENDAR_PUSH", default=True)
CELERY_BEAT_SCHEDULE["scheduling-calendar-sync"] = {
    "task": "scheduling.tasks.calendar_sync_all",
    "schedule": env.int("ATRIUM_CALDAV_SYNC_SECONDS", default=300),
    "options": {"expires": 240},
}
CELERY_BEAT_SCHEDULE["scheduling-external-calendars"] = {
    "task": "scheduling.tasks.external_calendars_import_all",
    "schedule": env.int("ATRIUM_CALENDAR_IMPORT_SECONDS", default=900),
}
# Unfinished bookings (a form to fill in, a payment to make) give their time back.
# Settles what a missed Stripe webhook left open, and events a Celery outage left waiting.
CELERY_BEAT_SCHEDULE["billing-reconcile"] = {
    "task": "billing.tasks.payments_reconcile",
    "schedule": 300.0,
    "options": {"expires": 290},
}
# Payment reminder digests (one per contact and day; idempotent, so hourly is safe).
CELERY_BEAT_SCHEDULE["billing-payment-reminders"] = {
    "task": "billing.tasks.payment_reminders_plan",
    "schedule": 3600.0,
    "options": {"expires": 3000},
}
# Intake forms sent after a booking and still not filled in: one reminder 24 h before.
CELERY_BEAT_SCHEDULE["intake-form-reminders"] = {
    "task": "intake.tasks.form_reminders_queue",
    "schedule": 900.0,
    "options": {"expires": 850},
}
# Declined and lost inquiries past their retention period (intake/retention.py).
CELERY_BEAT_SCHEDULE["intake-prospects-purge"] = {
    "task": "intake.tasks.prospects_purge",
    "schedule": crontab(hour=3, minute=30),
}
# The metrics' month-end snapshots (insights.md §1.6): the month just closed, each night
# (a row once written is never rewritten, so the later runs of a month write nothing).
CELERY_BEAT_SCHEDULE["insights-metric-snapshots"] = {
    "task": "insights.tasks.metric_snapshots_previous_month",
    "schedule": crontab(hour=2, minute=15),
}
# The monthly digest to firm admins (insights.md §5): each morning; the service sends it
# from the first business day of the month on, once per admin and month.
CELERY_BEAT_SCHEDULE["insights-digest"] = {
    "task": "insights.tasks.insights_digest_monthly",
    "schedule": crontab(hour=6, minute=30),
}
ATRIUM_PROSPECT_RETENTION_MONTHS = env.int("ATRIUM_PROSPECT_RETENTION_MONTHS", default=12)
ATRIUM_PROSPECT_SENSITIVE_MONTHS = env.int("ATRIUM_PROSPECT_SENSITIVE_MONTHS", default=6)
# Engagement letters not signed by their date expire (intake; idempotent). Signing checks
# the date itself, so the sweep only keeps statuses and the staff pages current.
CELERY_BEAT_SCHEDULE["intake-engagements-expire"] = {
    "task": "intake.tasks.engagements_expire",
    "schedule": 3600.0,
    "options": {"expires": 3000},
}
CELERY_BEAT_SCHEDULE["scheduling-holds-expire"] = {
    "task": "scheduling.tasks.booking_holds_expire",
    "schedule": 60.0,
    "options": {"expires": 55},
}
# A public booking made with an existing client's email waits for the owner of the address
# at most this many hours (and never past its start); then it is cancelled and its time freed.
ATRIUM_OWNER_CHECK_HOURS = env.int("ATRIUM_OWNER_CHECK_HOURS", default=24)
# Booking invitations whose immediate sending task never reached the broker.
CELERY_BEAT_SCHEDULE["scheduling-invitations-unsent"] = {
    "task": "scheduling.tasks.booking_invitations_unsent_deliver",
    "schedule": 300.0,
    "options": {"expires": 290},
}
CELERY_BEAT_SCHEDULE["scheduling-owner-checks-expire"] = {
    "task": "scheduling.tasks.owner_checks_expire",
    "schedule": 300.0,
    "options": {"expires": 290},
}

# ---------------------------------------------------------------------------
# Billing: Stripe is reached only through billing/gateway.py
# ---------------------------------------------------------------------------
# A restricted key (rk_...) is recommended. Without a key, payments run on the local demo
# checkout page.
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="")
# Every request pins this API version; it is the one the installed stripe library is
# typed for (tests fail when the library is upgraded without moving the pin).
STRIPE_API_VERSION = env.str("STRIPE_API_VERSION", default="2026-10-28.endive")
# Webhook signing secrets, comma-separated: during a rotation both the old and the new
# secret are accepted. The former single STRIPE_WEBHOOK_SECRET is still read when the
# list is not set.
STRIPE_WEBHOOK_SECRETS = [
    secret.strip()
    for secret in env.list(
        "STRIPE_WEBHOOK_SECRETS", default=[env.str("STRIPE_WEBHOOK_SECRET", default="")]
    )
    if secret.strip()
]
# A signed event older than this (seconds) is refused as a replay.
STRIPE_WEBHOOK_TOLERANCE_SECONDS = env.int("STRIPE_WEBHOOK_TOLERANCE_SECONDS", default=300)
# Whether events and objects must be live-mode ones; defaults to the key's own mode.
STRIPE_EXPECT_LIVEMODE = env.bool(
    "STRIPE_EXPECT_LIVEMODE", default=STRIPE_SECRET_KEY.startswith(("sk_live_", "rk_live_"))
)
# The library retries connection errors, 409 and 5xx answers this many times with the
# same idempotency key; each try waits at most this many seconds.
STRIPE_MAX_NETWORK_RETRIES = env.int("STRIPE_MAX_NETWORK_RETRIES", default=2)
STRIPE_TIMEOUT_SECONDS = env.float("STRIPE_TIMEOUT_SECONDS", default=30.0)
# The library logs Stripe's own error messages at INFO, and they can quote what was sent
# (an email address); only warnings and errors reach Atrium's logs.
LOGGING["loggers"] = {
    **LOGGING["loggers"],  # type: ignore[dict-item]  # LOGGING is a plain dict literal
    "stripe": {"level": env.str("STRIPE_LOG_LEVEL", default="WARNING")},
    # WeasyPrint reports each rendering step at INFO, three of them when it is imported.
    "weasyprint": {"level": "WARNING"},
    "fontTools": {"level": "WARNING"},
}
