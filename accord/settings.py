"""Accord settings: one file, read from the environment (see .env.example)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent

# A local `.env` (written by `make setup` for development) fills in what the real environment
# leaves unset; the real environment always wins. ACCORD_ENV_FILE names another file, or none
# when empty.
_env_file = os.environ.get("ACCORD_ENV_FILE", str(BASE_DIR / ".env"))
if _env_file:
    load_dotenv(_env_file, override=False)


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from exc


def envcount(name: str, default: int) -> int:
    """A whole number of zero or more (a period, a limit)."""
    value = envint(name, default)
    if value < 0:
        raise ImproperlyConfigured(f"{name} must be 0 or more, not {value}")
    return value


def envlist(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def _host(url: str) -> str | None:
    """The host of `url` as ALLOWED_HOSTS names it (an IPv6 address in brackets)."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return f"[{host}]" if host and ":" in host else host


DEBUG = envbool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off (production)."
        )
    SECRET_KEY = "development-only-insecure-key"  # never used with DEBUG off

# In development the site address's host is served too (`make run ADDRESS=192.168.1.20:8000`).
_site_host = _host(os.environ.get("ACCORD_SITE_URL", ""))
_DEVELOPMENT_HOSTS = list(
    dict.fromkeys(["127.0.0.1", "localhost", *([_site_host] if _site_host else [])])
)
ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS", _DEVELOPMENT_HOSTS if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is off.")
if "*" in ALLOWED_HOSTS and not DEBUG:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS may not contain '*' in production.")

SITE_URL = os.environ.get("ACCORD_SITE_URL", "").rstrip("/")
if not SITE_URL:
    if not DEBUG:
        # Links in e-mails, QR codes and open data are built from it; guessing would print
        # a development address on a member's certificate.
        raise ImproperlyConfigured(
            "ACCORD_SITE_URL must be set when DJANGO_DEBUG is off (the public address, "
            "e.g. https://accord.example.org)."
        )
    SITE_URL = "http://127.0.0.1:8000"
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(
        f"ACCORD_SITE_URL must start with http:// or https://, not {SITE_URL!r}"
    )

INSTALLED_APPS = [
    "accord.core.apps.AccordAdminConfig",  # django.contrib.admin, for superusers only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "django_tasks",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "csp",
    "allauth.mfa",
    "accord.core",
    "accord.organisations",
    "accord.accounts",
    "accord.schemes",
    "accord.enrolments",
    "accord.membership",
    "accord.actions",
    "accord.register",
    "accord.notifications",
    "accord.plans",
    "accord.dashboards",
    "accord.demo",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accord.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "accord.core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "accord.core.uploads.RequestSizeLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accord.core.logs.RequestLogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accord.core.middleware.IdleTimeoutMiddleware",
    "accord.core.middleware.AbsoluteLifetimeMiddleware",
    "accord.accounts.middleware.MFARequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "accord.urls"
WSGI_APPLICATION = "accord.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "accord" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accord.accounts.context_processors.navigation",
            ],
        },
    },
]

VAR_DIR = Path(os.environ.get("ACCORD_VAR_DIR") or BASE_DIR / "var")

# The audit trail is sealed with this key (HMAC-SHA256). It lives outside the database, so
# someone who can write to the database cannot rewrite events and reseal the chain.
ACCORD_AUDIT_KEY = os.environ.get("ACCORD_AUDIT_KEY", "")
if not ACCORD_AUDIT_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("ACCORD_AUDIT_KEY must be set when DJANGO_DEBUG is off.")
    ACCORD_AUDIT_KEY = "development-only-audit-key"  # never used with DEBUG off
# Signed checkpoints of the audit trail's heads are appended here, outside the database.
ACCORD_AUDIT_CHECKPOINT_FILE = Path(
    os.environ.get("ACCORD_AUDIT_CHECKPOINT_FILE") or VAR_DIR / "audit-checkpoints"
)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'accord.sqlite3'}",
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock at BEGIN, so two writers queue instead of
    # failing half-way; the timeout is how long the second one waits.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Short, indexed queries: PostgreSQL's JIT compiler, switched on by cost estimates, can spend
    # more time compiling a task list's query than running it.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
# Each worker keeps its connection for a minute rather than opening one per request (over the
# network for a database server; setting up its functions and pragmas for SQLite), and checks
# it before reusing it.
DATABASES["default"]["CONN_MAX_AGE"] = envint("DATABASE_CONN_MAX_AGE", 60)

# Everything a request leaves behind lives where every app server sees it, so that servers
# can be added behind a load balancer: sessions in the database; the cache (allauth's sign-in
# rate limits, the public register) in Redis or the database; uploads on object storage or a
# shared disk.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

ACCORD_CACHE_URL = os.environ.get("ACCORD_CACHE_URL", "").strip() or (
    "memory" if DEBUG else "database"
)
if ACCORD_CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": ACCORD_CACHE_URL,
            "KEY_PREFIX": "accord",
        }
    }
elif ACCORD_CACHE_URL == "database":
    # `manage.py migrate` makes the table (accord/core/apps.py).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "accord_cache",
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    }
elif ACCORD_CACHE_URL == "memory":
    # One process only (the development server): each gunicorn worker would have its own.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    raise ImproperlyConfigured(
        "ACCORD_CACHE_URL must be a redis://, rediss:// or unix:// address, 'database' or "
        f"'memory', not {ACCORD_CACHE_URL!r}"
    )

# The public register's pages, kept in each process: their keys carry the register's version,
# read from the database on every request, so a copy in one process can never outlive a change
# made through another, and a hit costs no trip to a shared cache.
CACHES["register"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "register",
    "OPTIONS": {"MAX_ENTRIES": 1000},
}
# The dashboard's counted figures and drawn pages, keyed by a marker of the data read from the
# database on every request (accord/dashboards/selectors.py), so a copy can never outlive a
# change: shared in Redis, where reading one costs no query; otherwise kept in each process, since
# the database cache would cost queries that the page's budget does not have.
CACHES["dashboard"] = (
    {**CACHES["default"], "KEY_PREFIX": "accord-dashboard"}
    if CACHES["default"]["BACKEND"].endswith("RedisCache")
    else {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "dashboard",
        "OPTIONS": {"MAX_ENTRIES": 300},
    }
)

FORM_RENDERER = "accord.core.forms.AccordFormRenderer"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accord.accounts.backends.AuthenticationBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "tasks"
LOGOUT_REDIRECT_URL = "home"

# Sign-in, sign-out and passwords (django-allauth, its account app only). People sign in with
# their e-mail address; accounts are made by invitation, never by signing up
# (AccordAccountAdapter.is_open_for_signup), and allauth's e-mails go through the outbox.
ACCOUNT_ADAPTER = "accord.accounts.adapter.AccordAccountAdapter"
ACCOUNT_USER_DISPLAY = "accord.accounts.adapter.display_name"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
# Every account is made by an officer, or by an invitation accepted from the invited address
# (which records it as verified), so sign-in does not wait on a confirmation. People do not
# change their own address (accounts/views.py, email_address); were allauth's flow used, a
# new address would replace the old one only once confirmed.
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_CHANGE_EMAIL = True
# The reset form answers the same whether or not the address has an account, and writes only
# to addresses that have one.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
# Limits kept in the cache (ACCORD_CACHE_URL), so every app server counts the same attempts.
# A failed sign-in counts against the address typed in (known or not, so an unknown address is
# refused the same way) and against the client's IP address; a wrong authenticator code counts
# against the person, under the same "login_failed" limit.
ACCOUNT_RATE_LIMITS: dict[str, str] = {
    "login_failed": "20/5m/ip,5/5m/key",
}
# Shared office machines: the session ends with the browser, and after the idle timeout.
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Accord: "
# The person is told by e-mail when their password or address changes.
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_FORMS = {
    "login": "accord.accounts.password_forms.LoginForm",
    "reset_password": "accord.accounts.password_forms.ResetPasswordForm",
    "reset_password_from_key": "accord.accounts.password_forms.ResetPasswordKeyForm",
    "change_password": "accord.accounts.password_forms.ChangePasswordForm",
    "set_password": "accord.accounts.password_forms.SetPasswordForm",
}
# A password-reset link works once (it is tied to the password it replaces) and for this long.
PASSWORD_RESET_TIMEOUT = envint("ACCORD_PASSWORD_RESET_HOURS", 24) * 60 * 60

# Two-factor sign-in (allauth's mfa app): an authenticator app's codes (TOTP), with recovery
# codes shown once. Union roles, auditors and staff must set it up before any other page opens
# (accounts/middleware.py); everyone else may, from their own page.
ACCORD_MFA_REQUIRED = envbool("ACCORD_MFA_REQUIRED", True)
MFA_ADAPTER = "accord.accounts.adapter.AccordMFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Accord"
MFA_RECOVERY_CODES_SHOW_ONCE = True
MFA_FORMS = {
    "authenticate": "accord.accounts.password_forms.AuthenticateForm",
    "reauthenticate": "accord.accounts.password_forms.ReauthenticateForm",
    "activate_totp": "accord.accounts.password_forms.ActivateTOTPForm",
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Collected static files; a container image keeps them in the image, apart from its data volume.
STATIC_ROOT = Path(os.environ.get("ACCORD_STATIC_ROOT") or VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "accord" / "static"]
# Uploaded files live outside the web root and are only ever served through views that check
# permissions: on local disk under ACCORD_VAR_DIR by default, or in a private bucket of an
# S3-compatible object store, which every app server reaches.
MEDIA_ROOT = VAR_DIR / "uploads"
ACCORD_STORAGE = os.environ.get("ACCORD_STORAGE", "").strip() or "local"
if ACCORD_STORAGE == "local":
    _uploads: dict[str, Any] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif ACCORD_STORAGE == "s3":
    if not os.environ.get("AWS_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured("AWS_STORAGE_BUCKET_NAME must be set when ACCORD_STORAGE=s3.")
    # Keys come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or the machine's role), read
    # by django-storages and boto3 themselves, so no secret is held in the settings.
    _uploads = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "addressing_style": os.environ.get("AWS_S3_ADDRESSING_STYLE") or None,
            "location": os.environ.get("AWS_LOCATION", ""),
            # Private objects, never overwritten: names are random and files are served by
            # the views that check who asks, not by a link to the bucket.
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
else:
    raise ImproperlyConfigured(f"ACCORD_STORAGE must be 'local' or 's3', not {ACCORD_STORAGE!r}")
STORAGES = {
    "default": _uploads,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = envint("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("DJANGO_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "Accord <accord@localhost>")
EMAIL_TIMEOUT = envint("DJANGO_EMAIL_TIMEOUT", 30)
# The Date header in the server's zone (TIME_ZONE), as a person's mail program expects, rather
# than UTC written as "-0000" ("zone unknown").
EMAIL_USE_LOCALTIME = True

# E-mail goes through the outbox (accord/core/outbox.py) and is delivered by the task worker
# (`manage.py outbox_worker`), whose queue lives in the same database: no broker to run.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Tries per message before giving up; the first retry waits ACCORD_OUTBOX_RETRY_SECONDS, and
# each later one twice as long as the one before.
ACCORD_OUTBOX_MAX_ATTEMPTS = envint("ACCORD_OUTBOX_MAX_ATTEMPTS", 8)
ACCORD_OUTBOX_RETRY_SECONDS = envint("ACCORD_OUTBOX_RETRY_SECONDS", 60)
# A message claimed longer ago than this by a worker that has not finished is taken to belong
# to a dead worker and is sent again (with the same Message-ID). Must exceed EMAIL_TIMEOUT.
ACCORD_OUTBOX_LEASE_SECONDS = envint("ACCORD_OUTBOX_LEASE_SECONDS", 300)

# Reminders (days): overdue reviews escalate to the secretary, then to the NEM; confirmations
# and joining steps are reminded once after waiting this long.
ACCORD_ESCALATE_TO_SECRETARY_DAYS = envint("ACCORD_ESCALATE_TO_SECRETARY_DAYS", 14)
ACCORD_ESCALATE_TO_NEM_DAYS = envint("ACCORD_ESCALATE_TO_NEM_DAYS", 42)
ACCORD_CONFIRMATION_REMINDER_DAYS = envint("ACCORD_CONFIRMATION_REMINDER_DAYS", 7)
ACCORD_STEP_REMINDER_DAYS = envint("ACCORD_STEP_REMINDER_DAYS", 14)
# Concerns about a member (days): the employer's time to respond, the time either side has to
# appeal a decision, and the time a member of the public has to confirm their concern; the
# public form's limits per e-mail address and per client address, per day.
ACCORD_CONCERN_RESPONSE_DAYS = envint("ACCORD_CONCERN_RESPONSE_DAYS", 28)
ACCORD_CONCERN_APPEAL_DAYS = envint("ACCORD_CONCERN_APPEAL_DAYS", 28)
ACCORD_CONCERN_CONFIRM_DAYS = envint("ACCORD_CONCERN_CONFIRM_DAYS", 7)
ACCORD_CONCERN_LIMIT_PER_EMAIL = envint("ACCORD_CONCERN_LIMIT_PER_EMAIL", 3)
ACCORD_CONCERN_LIMIT_PER_IP = envint("ACCORD_CONCERN_LIMIT_PER_IP", 10)
# E-mails a person chose to receive weekly are bundled on this day (0 is Monday) by the daily
# run (`manage.py send_reminders`); a run missed that day is made up by the next one.
ACCORD_WEEKLY_DIGEST_DAY = envint("ACCORD_WEEKLY_DIGEST_DAY", 0)
# A case with no step taken for this many days is "stuck" on the secretary's start page.
ACCORD_STUCK_DAYS = envint("ACCORD_STUCK_DAYS", 14)
# How long an invitation's link to set a password works.
ACCORD_INVITATION_DAYS = envint("ACCORD_INVITATION_DAYS", 7)

# Retention (`manage.py apply_retention`, daily). Each period counts from the day the record
# was closed: a closed enrolment's internal notes (years), a deactivated person (months,
# then erased), the uploaded files of a withdrawn member (months). 0 turns a rule off.
ACCORD_RETENTION_CLOSED_NOTES_YEARS = envcount("ACCORD_RETENTION_CLOSED_NOTES_YEARS", 6)
ACCORD_RETENTION_DEACTIVATED_MONTHS = envcount("ACCORD_RETENTION_DEACTIVATED_MONTHS", 24)
ACCORD_RETENTION_WITHDRAWN_FILES_MONTHS = envcount("ACCORD_RETENTION_WITHDRAWN_FILES_MONTHS", 24)

# Signed-in people are signed out after this long without a request (special-category data on
# shared office machines).
SESSION_IDLE_TIMEOUT_MINUTES = envint("ACCORD_SESSION_IDLE_MINUTES", 30)
# However active, a session ends this long after its sign-in (core/middleware.py). The stored
# session lasts an hour longer, so that the sign-in page can still say why it ended.
SESSION_ABSOLUTE_HOURS = envint("ACCORD_SESSION_ABSOLUTE_HOURS", 12)
SESSION_COOKIE_AGE = (SESSION_ABSOLUTE_HOURS + 1) * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = envbool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy on every response (django-csp): everything from this site, nothing
# inline, so an injected script or style does nothing. Pictures may also be data: URIs (a
# union's logo in the printable letter). No page may be framed, take a <base> or post a form
# elsewhere. The Django admin works under the same policy.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# The browser features no page uses, refused to every page and anything it embeds
# (accord.core.middleware.PermissionsPolicyMiddleware).
PERMISSIONS_POLICY = [
    "accelerometer",
    "autoplay",
    "camera",
    "display-capture",
    "encrypted-media",
    "fullscreen",
    "geolocation",
    "gyroscope",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "picture-in-picture",
    "screen-wake-lock",
    "serial",
    "usb",
    "xr-spatial-tracking",
    "browsing-topics",
]

# Behind a TLS-terminating proxy: the header (and value) the proxy sets for HTTPS requests,
# e.g. "HTTP_X_FORWARDED_PROTO,https". Only set it when the proxy overwrites that header.
_proxy_header = envlist("DJANGO_SECURE_PROXY_SSL_HEADER", [])
if _proxy_header and len(_proxy_header) != 2:
    raise ImproperlyConfigured(
        "DJANGO_SECURE_PROXY_SSL_HEADER must be a header and a value, "
        "e.g. HTTP_X_FORWARDED_PROTO,https"
    )
SECURE_PROXY_SSL_HEADER = tuple(_proxy_header) if _proxy_header else None
# How many proxies in front of the app append to X-Forwarded-For, so that the sign-in limits and
# the public concern form count each client rather than the proxy (0: the connection's address).
ALLAUTH_TRUSTED_PROXY_COUNT = envcount("ACCORD_TRUSTED_PROXY_COUNT", 0)
SECURE_SSL_REDIRECT = envbool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = envint("DJANGO_SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# Preload (on by default in production, as the browsers' preload list requires) asks browsers to
# use HTTPS before the first visit, once the domain is submitted to that list.
SECURE_HSTS_PRELOAD = envbool("DJANGO_SECURE_HSTS_PRELOAD", not DEBUG)
# Forms posted from the public address are trusted even if a proxy rewrites the Host header.
CSRF_TRUSTED_ORIGINS = [SITE_URL]
# The site's own page for a refused form (Django's has an inline style the policy refuses).
CSRF_FAILURE_VIEW = "accord.core.csrf.csrf_failure"

# Form fields of one request (files aside); a larger body is refused before it is read, except
# by the pages that take files, up to their own limit (accord.core.uploads).
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DJANGO_DATA_UPLOAD_MAX_MEMORY_SIZE", 2 * 1024 * 1024)
# Uploaded files larger than this go to a temporary file rather than memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = envint("DJANGO_FILE_UPLOAD_MAX_MEMORY_SIZE", 2 * 1024 * 1024)
GIAS_UPLOAD_MAX_BYTES = envint("ACCORD_GIAS_UPLOAD_MAX_BYTES", 100 * 1024 * 1024)
EVIDENCE_MAX_BYTES = envint("ACCORD_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)
# Largest plan file (CSV, XLSX or document) accepted for import.
PLAN_IMPORT_MAX_BYTES = envint("ACCORD_PLAN_IMPORT_MAX_BYTES", 10 * 1024 * 1024)
# Largest scheme material file, scheme logo and union logo accepted.
SCHEME_MATERIAL_MAX_BYTES = envint("ACCORD_SCHEME_MATERIAL_MAX_BYTES", 25 * 1024 * 1024)
SCHEME_LOGO_MAX_BYTES = envint("ACCORD_SCHEME_LOGO_MAX_BYTES", 2 * 1024 * 1024)
UNION_LOGO_MAX_BYTES = envint("ACCORD_UNION_LOGO_MAX_BYTES", 2 * 1024 * 1024)
# The joint letter's Word template for every scheme without its own (empty: the house
# template, accord/enrolments/files/joint-letter.docx).
LETTER_TEMPLATE = os.environ.get("ACCORD_LETTER_TEMPLATE", "")
# Rows (or document lines) a plan import may hold: a larger file is refused, not previewed.
ACCORD_PLAN_IMPORT_MAX_ROWS = envint("ACCORD_PLAN_IMPORT_MAX_ROWS", 5000)

# No personal data or secrets in the logs (accord/core/logs.py): every record names the
# signed-in person by id, and e-mail addresses and secret links' tokens are scrubbed.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "user_id": {"()": "accord.core.logs.UserIdFilter"},
        "redact": {"()": "accord.core.logs.RedactFilter"},
    },
    "formatters": {
        "accord": {"format": "%(asctime)s %(levelname)s %(name)s user=%(user_id)s %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["user_id", "redact"],
            "formatter": "accord",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # WeasyPrint logs each step of every PDF it prints (and of its own stylesheet on import) at
    # INFO: its warnings are what matter.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

# The HTTP API at /api/v1/ (accord/api/README.md): Django REST framework, described in OpenAPI by
# drf-spectacular, with per-person bearer tokens, RFC 9457 errors and rates per token and per
# anonymous client.
ACCORD_API_RATES = {
    "token": os.environ.get("ACCORD_API_RATE_TOKEN", "3600/hour"),
    "anon": os.environ.get("ACCORD_API_RATE_ANON", "600/hour"),
}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accord.api.authentication.BearerTokenAuthentication",
        "accord.api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "accord.api.permissions.TokenRights",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "accord.api.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "accord.api.pagination.Pages",
    "DEFAULT_THROTTLE_CLASSES": [
        "accord.api.throttling.TokenRateThrottle",
        "accord.api.throttling.AnonymousRateThrottle",
    ],
    "NUM_PROXIES": ALLAUTH_TRUSTED_PROXY_COUNT,
    "EXCEPTION_HANDLER": "accord.api.problems.handler",
    # OPTIONS is not part of the API: DRF's description of a view's form is not the pages'
    # form, and it fails on views that find their object themselves. It answers 405.
    "DEFAULT_METADATA_CLASS": None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DATETIME_FORMAT": "iso-8601",
    "DATE_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Accord API",
    "DESCRIPTION": (
        "Everything the Accord pages do, under the same permissions. Authenticate with a "
        "personal token (`Authorization: Bearer acc_…`), made on “Sign-in and security”. "
        "Errors are RFC 9457 problem documents."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "PlanStatusEnum": "accord.plans.models.PlanStatus",
        "ActionStatusEnum": "accord.actions.models.ActionStatus",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "accord.api.schema.postprocess",
    ],
}
