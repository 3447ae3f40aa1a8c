"""Settings shared by every environment. Values come from the environment (django-environ).

Every variable read here is listed with a comment in ``.env.example``.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF
from django.core.exceptions import ImproperlyConfigured
from import_export.formats.base_formats import CSV, XLSX

from dashboard_project.embedded_db import embedded_database_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env.str("SECRET_KEY")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "dashboard_project.apps.DashboardAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "corsheaders",
    "csp",
    "django_q",
    "import_export",
    "core",
    "accounts",
    "clients",
    "campaigns",
    "metrics",
    "ingestion",
    "pacing",
    "annotations",
    "reports",
    "scheduled_reports",
    "operations",
    "portal",
    "devtools",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.middleware.RefuseNulCharactersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "accounts.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "dashboard_project.urls"
WSGI_APPLICATION = "dashboard_project.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


# --- Database -------------------------------------------------------------------------------
# DATABASE_URL points at any PostgreSQL. local/test fall back to an embedded server under var/;
# production refuses to start without DATABASE_URL.
def database_settings(*, allow_embedded: bool) -> dict[str, dict[str, object]]:
    if env.str("DATABASE_URL", default=""):
        default = dict(env.db_url("DATABASE_URL"))
    elif allow_embedded:
        default = embedded_database_config(BASE_DIR / "var" / "pgdata")
    else:
        raise ImproperlyConfigured("DATABASE_URL must be set in production.")
    default["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    default["CONN_HEALTH_CHECKS"] = True
    return {"default": default}


DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A database cache is shared by every process (login throttling has its own table:
# accounts.LoginAttemptCount, counted atomically).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "django_cache",
    }
}

# --- Content-Security-Policy (django-csp) ---------------------------------------------------
# Every response: scripts, styles, fonts and requests only from this site, no inline script or
# style (templates link static files), no plugins, no framing. Images may also be data: URIs
# (the API docs' icons).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        "script-src": [CSP_SELF],
        "style-src": [CSP_SELF],
        "img-src": [CSP_SELF, "data:"],
        "font-src": [CSP_SELF],
        "connect-src": [CSP_SELF],
        "object-src": [CSP_NONE],
        "base-uri": [CSP_SELF],
        "form-action": [CSP_SELF],
        "frame-ancestors": [CSP_NONE],
    }
}

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed logins allowed per username and per IP address within the window before 429.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_FAILURE_WINDOW_SECONDS = env.int("LOGIN_FAILURE_WINDOW_SECONDS", default=900)
# Reverse proxies in front of the app that append to X-Forwarded-For (0: use REMOTE_ADDR only).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/New_York"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
MEDIA_URL = "media/"

# Uploaded source files go to local disk by default and to S3 when UPLOADS_S3_BUCKET is set.
UPLOADS_S3_BUCKET = env.str("UPLOADS_S3_BUCKET", default="")
if UPLOADS_S3_BUCKET:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": UPLOADS_S3_BUCKET,
            "location": env.str("UPLOADS_S3_PREFIX", default="uploads"),
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT)},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploads larger than this are refused before they are read whole.
MAX_UPLOAD_BYTES = env.int("MAX_UPLOAD_BYTES", default=50 * 1024 * 1024)
# Parsing bounds, checked before the work: an XLSX's expanded size, and any file's data rows and
# columns. Real exports stay far below them.
MAX_FILE_UNCOMPRESSED_BYTES = env.int("MAX_FILE_UNCOMPRESSED_BYTES", default=150 * 1024 * 1024)
MAX_FILE_ROWS = env.int("MAX_FILE_ROWS", default=500_000)
MAX_FILE_COLUMNS = env.int("MAX_FILE_COLUMNS", default=100)
# Uploads up to this size are loaded within the request (201); larger ones are queued (202).
UPLOAD_INLINE_MAX_BYTES = env.int("UPLOAD_INLINE_MAX_BYTES", default=5 * 1024 * 1024)
# CSV/XLSX exports up to this many rows are built within the request; larger ones are queued
# (202 with a status URL) and built by a worker into default storage.
EXPORT_INLINE_MAX_ROWS = env.int("EXPORT_INLINE_MAX_ROWS", default=200_000)
# A CPM change waits this long for a running ingestion of the client (metrics.locks), then is
# refused with "try again" so the request answers within gunicorn's timeout.
CPM_LOCK_WAIT_SECONDS = env.float("CPM_LOCK_WAIT_SECONDS", default=20.0)
# Above this size Django streams uploads to a temporary file instead of memory; oversized bodies
# are refused before they are read.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "ingestion.sources.facebook.upload_limits.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- AWS (Surfside) -------------------------------------------------------------------------
AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default="") or None
AWS_S3_REGION_NAME = env.str("AWS_S3_REGION_NAME", default="us-east-1")

# --- Vibe -----------------------------------------------------------------------------------
VIBE_API_BASE_URL = env.str(
    "VIBE_API_BASE_URL", default="https://clear-platform.vibe.co/rest/reporting/v1"
)
# Secret the Fernet key for stored Vibe API keys is derived from; SECRET_KEY when empty. Changing
# it makes stored keys unreadable (they must be entered again).
VIBE_KEY_ENCRYPTION_KEY = env.str("VIBE_KEY_ENCRYPTION_KEY", default="")
# Requests per rolling hour per API key, shared by every process (Vibe allows 15).
VIBE_REQUESTS_PER_HOUR = env.int("VIBE_REQUESTS_PER_HOUR", default=15)
# Count only report creations against the budget (what Vibe documents as limited), not polls.
VIBE_BUDGET_COUNTS_ONLY_CREATE = env.bool("VIBE_BUDGET_COUNTS_ONLY_CREATE", default=False)
# Days the daily pull re-fetches, ending yesterday (Vibe restates recent days for ~7 hours).
VIBE_TRAILING_DAYS = env.int("VIBE_TRAILING_DAYS", default=3)
# Longest date range of one report (Vibe's limit is 45 days).
VIBE_MAX_REPORT_DAYS = env.int("VIBE_MAX_REPORT_DAYS", default=45)
# Time zone the reports' days are cut in.
VIBE_REPORT_TIMEZONE = env.str("VIBE_REPORT_TIMEZONE", default="America/New_York")
# Status polls of one report: first one after this delay, then backing off (doubling) from the
# minimum interval up to the maximum.
VIBE_FIRST_POLL_DELAY_SECONDS = env.int("VIBE_FIRST_POLL_DELAY_SECONDS", default=60)
VIBE_POLL_MIN_INTERVAL_SECONDS = env.int("VIBE_POLL_MIN_INTERVAL_SECONDS", default=10)
VIBE_POLL_MAX_INTERVAL_SECONDS = env.int("VIBE_POLL_MAX_INTERVAL_SECONDS", default=900)
# A report Vibe has not finished this many hours after it was created is failed and alerted.
VIBE_REPORT_DEADLINE_HOURS = env.float("VIBE_REPORT_DEADLINE_HOURS", default=6)
# Timeout (seconds) of every HTTP request to Vibe, downloads included.
VIBE_HTTP_TIMEOUT_SECONDS = env.float("VIBE_HTTP_TIMEOUT_SECONDS", default=30)
# Server errors and timeouts: retried after base x 2^n seconds (capped at an hour), at most
# this many times in a row before the report request fails.
VIBE_RETRY_BASE_SECONDS = env.int("VIBE_RETRY_BASE_SECONDS", default=60)
VIBE_MAX_RETRIES = env.int("VIBE_MAX_RETRIES", default=8)
# Circuit breaker per API key: after this many failures in a row, no calls for the cool-down.
VIBE_CIRCUIT_BREAKER_FAILURES = env.int("VIBE_CIRCUIT_BREAKER_FAILURES", default=5)
VIBE_CIRCUIT_BREAKER_COOLDOWN_SECONDS = env.int(
    "VIBE_CIRCUIT_BREAKER_COOLDOWN_SECONDS", default=900
)

# --- Email and alerts -----------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="dashboard@localhost")
ALERT_EMAIL_RECIPIENTS: list[str] = env.list("ALERT_EMAIL_RECIPIENTS", default=[])
# Absolute links in emails (alerts, weekly summaries) start with this.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "UNAUTHENTICATED_USER": None,
}
SIMPLE_JWT = {
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    # A password change or reset invalidates every token issued before it.
    "CHECK_REVOKE_TOKEN": True,
    "ACCESS_TOKEN_LIFETIME": timedelta(seconds=env.int("JWT_ACCESS_LIFETIME_SECONDS", default=900)),
    "REFRESH_TOKEN_LIFETIME": timedelta(
        seconds=env.int("JWT_REFRESH_LIFETIME_SECONDS", default=7 * 86400)
    ),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Paid media performance dashboard API",
    "DESCRIPTION": (
        "JSON API for the dashboard frontend. Authenticate with `POST /api/v1/auth/login` and send "
        "`Authorization: Bearer <access>`. Money and ratios are serialised as decimal strings "
        '(e.g. `"150.000000"`) so no precision is lost; counts are integers.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several serializers have a "source" or "status" field with different choices: name them.
    "ENUM_NAME_OVERRIDES": {
        "SourceEnum": "campaigns.models.Source",
        "PulledSourceEnum": ["surfside", "vibe"],
        "ClientStatusEnum": "clients.models.ClientStatus",
        "RunStatusEnum": "ingestion.models.runs.RunStatus",
        "UploadStatusEnum": "ingestion.sources.facebook.models.UploadStatus",
        "BackfillStatusEnum": "ingestion.models.backfill.BackfillStatus",
    },
}
CORS_ALLOWED_ORIGINS: list[str] = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/.*$"

# --- Task queue -----------------------------------------------------------------------------
Q_CLUSTER = {
    "name": "dashboard",
    "workers": env.int("Q_WORKERS", default=2),
    "timeout": env.int("Q_TIMEOUT", default=1800),
    "retry": env.int("Q_RETRY", default=2100),
    "max_attempts": 1,
    "orm": "default",
    # Missed runs are caught up by operations.scheduling, once per intended date; django-q's own
    # catch-up would replay every missed minute of the per-minute schedules instead.
    "catch_up": False,
    "save_limit": 1000,
    "label": "Task queue",
}
if env.str("REDIS_URL", default=""):
    Q_CLUSTER.pop("orm")
    Q_CLUSTER["redis"] = env.str("REDIS_URL")

# --- Schedules (operations.scheduling; declared by `manage.py setup_schedules`) ------------------
# Queued (no arguments) once a change of daily rollups commits; each works through
# ``metrics.RollupChange`` rows. The schedule runs them every minute too, as a safety net.
ROLLUP_CHANGE_TASKS = ["reports.tasks.summaries_catch_up"]

# Cron strings (minute hour day-of-month month day-of-week) in SCHEDULE_TIME_ZONE.
SCHEDULE_TIME_ZONE = "America/New_York"
SCHEDULE_CRONS = {
    "surfside": env.str("SCHEDULE_SURFSIDE_CRON", default="0 5 * * *"),
    "vibe": env.str("SCHEDULE_VIBE_CRON", default="0 6 * * *"),
    "weekly_summary": env.str("SCHEDULE_WEEKLY_SUMMARY_CRON", default="0 5 * * 1"),
    "monthly_summary": env.str("SCHEDULE_MONTHLY_SUMMARY_CRON", default="0 5 1 * *"),
    "retention": env.str("SCHEDULE_RETENTION_CRON", default="30 2 * * *"),
    "flush_tokens": env.str("SCHEDULE_FLUSH_TOKENS_CRON", default="15 3 * * *"),
    # Monthly partitions of the daily metrics, created months ahead (metrics.partitions).
    "partitions": env.str("SCHEDULE_PARTITIONS_CRON", default="45 1 * * *"),
    # Hourly: a report goes out within the hour its period's data is complete.
    "scheduled_reports": env.str("SCHEDULE_SCHEDULED_REPORTS_CRON", default="20 * * * *"),
}
# How far back a missed run is still caught up for its intended date.
SCHEDULE_CATCH_UP_DAYS = env.int("SCHEDULE_CATCH_UP_DAYS", default=7)

# --- Leases on long jobs (core.leases, operations.sweeper) -------------------------------------
# Each process refreshes its leases this often; the sweeper fails a job whose holder's database
# session is gone (killed process) once its heartbeat is this old, or any job whose heartbeat is
# older than LEASE_TIMEOUT_SECONDS (a host that vanished without closing its connections).
LEASE_HEARTBEAT_SECONDS = env.float("LEASE_HEARTBEAT_SECONDS", default=10.0)
LEASE_TIMEOUT_SECONDS = env.float("LEASE_TIMEOUT_SECONDS", default=120.0)
LEASE_HEARTBEAT_THREAD = env.bool("LEASE_HEARTBEAT_THREAD", default=True)

# --- Summaries and weekly emails ------------------------------------------------------------
# Rows in each top list of a summary or PDF report.
SUMMARY_TOP_N = env.int("SUMMARY_TOP_N", default=5)
# A creative underperforms when CTR < max ctr (percent), spend > min spend and conversions < max.
SUMMARY_UNDERPERFORMER_MAX_CTR = Decimal(env.str("SUMMARY_UNDERPERFORMER_MAX_CTR", default="0.5"))
SUMMARY_UNDERPERFORMER_MIN_SPEND = Decimal(
    env.str("SUMMARY_UNDERPERFORMER_MIN_SPEND", default="100")
)
SUMMARY_UNDERPERFORMER_MAX_CONVERSIONS = env.int(
    "SUMMARY_UNDERPERFORMER_MAX_CONVERSIONS", default=5
)
# Underperformers listed in a summary (the count covers them all).
SUMMARY_UNDERPERFORMERS_SHOWN = env.int("SUMMARY_UNDERPERFORMERS_SHOWN", default=20)
# A scheduled report waits for its period's data to be complete; it is not sent for a period
# that ended longer ago than this (stale news).
SCHEDULED_REPORT_MAX_DELAY_DAYS = env.int("SCHEDULED_REPORT_MAX_DELAY_DAYS", default=7)

# --- Retention (operations.retention) ----------------------------------------------------------
# Daily metrics older than this many months are archived to storage (CSV.gz), then deleted.
RETENTION_DAILY_METRICS_MONTHS = env.int("RETENTION_DAILY_METRICS_MONTHS", default=13)
RETENTION_STAGING_DAYS = env.int("RETENTION_STAGING_DAYS", default=7)
# Ingestion logs (and the schedule ledger) older than this are purged.
RETENTION_INGESTION_LOG_DAYS = env.int("RETENTION_INGESTION_LOG_DAYS", default=90)
RETENTION_AUDIT_DAYS = env.int("RETENTION_AUDIT_DAYS", default=730)

# --- Logging: one line per event on stdout --------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "line"}},
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        "botocore": {"level": "WARNING"},
        "boto3": {"level": "WARNING"},
        "urllib3": {"level": "WARNING"},
        "pgserver": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "werkzeug": {"level": "WARNING"},
    },
}

SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(dsn=SENTRY_DSN, send_default_pii=False, traces_sample_rate=0.0)

# --- Import/export (admin) ----------------------------------------------------------------------
# CSV and Excel only: the formats admins use; every row is written through the services.
IMPORT_EXPORT_FORMATS = [CSV, XLSX]
IMPORT_EXPORT_USE_TRANSACTIONS = True
# Cells starting with =, +, - or @ are exported as text: a spreadsheet would run them.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
