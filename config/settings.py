"""Tandem settings: one module, configured by environment variables.

Every setting a deployment may change is read from the environment here and listed in the
README. The embedded default (no variables set) is a SQLite file under ``var/`` with tasks run
in-process right after commit.
"""

import ipaddress
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("TANDEM_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not env_bool("TANDEM_ALLOW_INSECURE_KEY"):
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "axes",
    "csp",
    "core",
    "core.events",
    "crm.customers",
    "scm.inventory",
    "crm.sales",
    "scm.purchasing",
    "crm.service",
    "finance",
    "integration.fulfilment",
    "integration.rules",
    "integration.planning",
    "integration.aftersales",
    "integration.insights",
    "integration.setup",
]
# The project's apps come first: where two apps translate one msgid, Django takes the first app's
# translation, and ours must win over the packages' (the admin's and django-filter's "Filter" is
# 过滤器, DRF's "Search" " 搜索", the admin's "Add" 增加: we say 筛选, 搜索, 添加). Their relative order
# is kept, and no template, static file or signal of ours depends on coming after a package's.
_OURS = ("core", "crm", "scm", "finance", "integration")
INSTALLED_APPS = [app for app in INSTALLED_APPS if app.split(".")[0] in _OURS] + [
    app for app in INSTALLED_APPS if app.split(".")[0] not in _OURS
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.IdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.middleware.ConflictMiddleware",
    "core.middleware.InputErrorMiddleware",
    "core.middleware.ConnectionLostMiddleware",
    # Idempotency-Key on the API's POSTs (after authentication: keys are per user).
    "core.idempotency.IdempotencyMiddleware",
    # axes must be last: it answers locked-out logins.
    "axes.middleware.AxesMiddleware",
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
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.shell",
                "core.events.context_processors.notifications",
                "integration.setup.context_processors.setup_return",
            ],
            "builtins": ["core.templatetags.tandem"],
        },
    }
]

# --- database -----------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'tandem.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        # Persistent connections: opening a PostgreSQL connection costs more than most requests.
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "600")),
        # Django's health check: a kept connection is checked (SELECT 1) before its first use in
        # each request and task, so a connection the database dropped (a restart, a killed
        # backend) is replaced instead of failing the request.
        conn_health_checks=True,
    )
}
DB_IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
# A read-only copy (PostgreSQL streaming replica) that dashboards and reports read from
# (config/db_router.py); every write goes to the default database. Tests mirror the default.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL,
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["config.db_router.ReplicaRouter"]
if DB_IS_POSTGRES and env_bool("DATABASE_PREPARED_STATEMENTS", True):
    # Parameters bound by the server, so that a statement a connection runs this many times
    # is prepared once and then only executed (psycopg's prepare_threshold): order intake's
    # calls measured 15-20 % faster (bench/bench_intake_steps.py). Turn off behind a pooler
    # that cannot keep prepared statements (PgBouncer in transaction mode before 1.21).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "server_side_binding": True,
            "prepare_threshold": int(os.environ.get("DATABASE_PREPARE_THRESHOLD", "5")),
        }
    )
if not DB_IS_POSTGRES:
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})
    # WAL and a busy timeout let the web process and in-process tasks share the file.
    DATABASES["default"]["OPTIONS"].update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache ----------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
# The cache holds counters (rate limits, token failures) and short-lived previews; its own Redis
# database (or instance), not the broker's. A request never fails because the cache does
# (core.counters): its calls give up after CACHE_TIMEOUT_SECONDS, and after a failure the cache
# is left alone for CACHE_RETRY_SECONDS.
CACHE_TIMEOUT_SECONDS = float(os.environ.get("CACHE_TIMEOUT_SECONDS", "0.5"))
CACHE_RETRY_SECONDS = float(os.environ.get("CACHE_RETRY_SECONDS", "5"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "socket_connect_timeout": CACHE_TIMEOUT_SECONDS,
                "socket_timeout": CACHE_TIMEOUT_SECONDS,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- auth, sessions, security ---------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Reverse proxies (addresses or networks, comma-separated) whose X-Forwarded-For header names the
# client (core.net.client_ip). Empty: the connection's peer is the client. Match gunicorn's
# --forwarded-allow-ips (compose: FORWARDED_ALLOW_IPS).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as exc:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {exc}") from None

# Brute-force lockout: after AXES_FAILURE_LIMIT failures for one user name from one client
# address, logging in as that user from that address answers 429 for AXES_COOLOFF_TIME, counted
# from the first failure (failures during the lockout do not extend it). The failures are kept in
# the database (axes' database handler), not the cache.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HTTP_RESPONSE_CODE = 429
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_CLIENT_IP_CALLABLE = "core.net.client_ip"

# Idle timeout (seconds). Shared warehouse tablets log out sooner than office desktops.
SESSION_IDLE_TIMEOUT = int(os.environ.get("SESSION_IDLE_TIMEOUT", str(8 * 3600)))
SESSION_IDLE_TIMEOUT_WAREHOUSE = int(os.environ.get("SESSION_IDLE_TIMEOUT_WAREHOUSE", "900"))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE = not DEBUG and env_bool("SECURE_COOKIES", True)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", SECURE)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if SECURE else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# /healthz is probed over plain HTTP inside the compose network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}
# Failed API tokens from one client address (or with one token prefix) before further failed
# tokens answer 429 for API_TOKEN_COOLOFF_SECONDS, counted from the first failure. A valid token
# is never refused because of others' failures.
API_TOKEN_FAILURE_LIMIT = int(os.environ.get("API_TOKEN_FAILURE_LIMIT", "10"))
API_TOKEN_COOLOFF_SECONDS = int(os.environ.get("API_TOKEN_COOLOFF_SECONDS", "900"))
# API tokens (django-rest-knox, stored hashed; core.tokens): one per login and device, valid
# API_TOKEN_LIFETIME_HOURS; a token of a warehouse-only user also lapses after
# SESSION_IDLE_TIMEOUT_WAREHOUSE seconds unused, like the tablet's session.
API_TOKEN_LIFETIME_HOURS = int(os.environ.get("API_TOKEN_LIFETIME_HOURS", str(30 * 24)))
KNOX_TOKEN_MODEL = "core.ApiToken"
# knox's own token model is swapped out for core.ApiToken; its migrations would still create it.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    # Lifetimes are ours (core.tokens.lifetime, API_TOKEN_LIFETIME_HOURS); knox's are not read.
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}

# --- internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Our own zh_Hans number format (thousands separators), Django's for the rest.
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
DEFAULT_CURRENCY = os.environ.get("DEFAULT_CURRENCY", "CNY")

# --- static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
NODE_MODULES = BASE_DIR / "node_modules"
# Front-end packages come from the npm registry at set-up time (package.json); only their
# distribution folders are served.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/sortablejs", NODE_MODULES / "sortablejs"),
    # Charts (Apache ECharts): the planning page now, the dashboards next.
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
    # Pickers (Tom Select): searchable, scannable choosers of customers, products, suppliers, users.
    ("vendor/tom-select/js", NODE_MODULES / "tom-select" / "dist" / "js"),
    ("vendor/tom-select/css", NODE_MODULES / "tom-select" / "dist" / "css"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and env_bool("TANDEM_MANIFEST_STATIC", True)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

# --- e-mail ---------------------------------------------------------------------------------
PDF_CJK_FONT = os.environ.get("PDF_CJK_FONT", "")

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Seconds an SMTP connection may block: a customer notice runs on a lease (EVENTS_LEASE_SECONDS).
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
# Where the file backend (django.core.mail.backends.filebased.EmailBackend) writes messages.
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "tandem@localhost")

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
# No broker: tasks run in-process (the embedded default). The outbox queues them on commit.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
# The broker may go away (a restart, a crash) while the worker is busy: the worker keeps trying
# to connect for as long as that takes (Celery's default gives up after 100 tries, the process
# then exits), also when it starts before the broker. Tasks running when the connection dropped
# cannot be acknowledged on the next one: they are stopped and run again (late acknowledgement;
# a handler's work rolls back with its delivery, and the outbox's sweep re-queues what the
# broker lost), rather than acknowledged on the dead connection.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# Longer than the longest task, or Redis hands an unacknowledged task to a second worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# Installations sharing one Redis db (and the workers of a parallel test run) each put their
# broker keys, the task queue among them, under a prefix of their own.
if os.environ.get("BROKER_KEY_PREFIX"):
    CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = os.environ["BROKER_KEY_PREFIX"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# Celery's Django fixup closes the database connection around every task unless this is set: a
# new PostgreSQL connection per task cost more than the task itself. Connections are instead
# kept and checked like a request's (config/celery.py: CONN_MAX_AGE, health check, errors).
CELERY_DB_REUSE_MAX = 1_000_000
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "events-sweep": {"task": "core.events.tasks.sweep", "schedule": 30.0},
    "crm-task-reminders": {"task": "crm.sales.tasks.task_reminders", "schedule": 300.0},
    "sales-quotes-expire": {"task": "crm.sales.orders.tasks.quotes_expire", "schedule": 3600.0},
    "service-sla-check": {"task": "crm.service.tasks.sla_check", "schedule": 900.0},
    # Backorders next to free stock whose announcement was missed (stock.available serves the rest).
    "fulfilment-backorders-sweep": {
        "task": "integration.fulfilment.tasks.backorders_sweep",
        "schedule": 300.0,
    },
    # Nightly: expired API tokens are deleted (authentication refuses them already).
    "core-tokens-delete-expired": {
        "task": "core.tasks.tokens_delete_expired",
        "schedule": crontab(hour=3, minute=10),
    },
    "core-idempotency-keys-purge": {"task": "core.tasks.idempotency_keys_purge", "schedule": 3600.0},
    "customers-import-previews-purge": {
        "task": "core.tasks.import_previews_purge",
        "schedule": 600.0,
    },
    # Daily: finance hears of bills overdue and due in the next 7 days (once a day).
    "finance-bills-due": {"task": "finance.tasks.bills_due_notice", "schedule": crontab(hour=8, minute=0)},
    # Nightly: stock-out days marked, every product planned, suggestions refreshed.
    "planning-nightly": {
        "task": "integration.planning.tasks.planning_nightly",
        "schedule": crontab(hour=1, minute=30),
    },
    # Nightly: customers with no order for a year become "inactive".
    "rules-customers-inactive": {
        "task": "integration.rules.tasks.customers_inactive_sweep",
        "schedule": crontab(hour=2, minute=30),
    },
    # Nightly: the dashboards' facts of the last weeks recomputed (what changed with no event).
    "insights-refresh-recent": {
        "task": "integration.insights.tasks.insights_refresh_recent",
        "schedule": crontab(hour=2, minute=50),
    },
    # Nightly: shipped shipments past their expected day, unconfirmed, are taken as delivered.
    "fulfilment-deliveries-estimate": {
        "task": "integration.fulfilment.tasks.deliveries_estimate",
        "schedule": crontab(hour=0, minute=40),
    },
    # Nightly: purchase cycles and co-purchases refreshed, follow-up tasks for cycles due.
    "insights-selling-nightly": {
        "task": "integration.insights.selling_tasks.selling_nightly",
        "schedule": crontab(hour=2, minute=0),
    },
}
# Where the links in customer e-mails point (delivery confirmation, surveys).
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000")
# Days the set-password link of an invitation (users page, ``start_empty``) stays valid.
INVITE_DAYS = int(os.environ.get("INVITE_DAYS", "7"))
# Days the customer's delivery confirmation link (shipping e-mail) stays valid.
FULFILMENT_DELIVERY_LINK_DAYS = int(os.environ.get("FULFILMENT_DELIVERY_LINK_DAYS", "30"))
# Satisfaction surveys: days a survey link stays valid, and the score at or below which an
# answer opens a follow-up ticket.
SURVEY_EXPIRY_DAYS = int(os.environ.get("SURVEY_EXPIRY_DAYS", "14"))
SURVEY_LOW_SCORE = int(os.environ.get("SURVEY_LOW_SCORE", "6"))
# Hours a new lead may wait for its first contact before it shows on the overdue list.
CRM_LEAD_SLA_HOURS = int(os.environ.get("CRM_LEAD_SLA_HOURS", "24"))
# On PostgreSQL, order_confirm does its usual case (no credit limit to check) in one statement
# instead of its steps (half their time: bench/bench_intake_steps.py --services); both write
# the same, and the sales order and fulfilment tests run both ways.
ORDERS_CONFIRM_IN_ONE_STATEMENT = env_bool("ORDERS_CONFIRM_IN_ONE_STATEMENT", True)

# --- purchase cycles and cross-sell (integration.insights) -------------------------------------
# Days before (and after) a purchase cycle's expected date that its follow-up task is made.
INSIGHTS_CYCLE_LEAD_DAYS = int(os.environ.get("INSIGHTS_CYCLE_LEAD_DAYS", "14"))
# Days of order history read for purchase cycles and for co-purchases.
INSIGHTS_CYCLE_HISTORY_DAYS = int(os.environ.get("INSIGHTS_CYCLE_HISTORY_DAYS", "1096"))
INSIGHTS_COPURCHASE_HISTORY_DAYS = int(os.environ.get("INSIGHTS_COPURCHASE_HISTORY_DAYS", "730"))
# Two products bought by one customer at most this many days apart are bought together.
INSIGHTS_COPURCHASE_WINDOW_DAYS = int(os.environ.get("INSIGHTS_COPURCHASE_WINDOW_DAYS", "30"))
# A rule "A → B" needs this many customers who bought both, and this support (share of customers).
INSIGHTS_COPURCHASE_MIN_CUSTOMERS = int(os.environ.get("INSIGHTS_COPURCHASE_MIN_CUSTOMERS", "3"))
INSIGHTS_COPURCHASE_MIN_SUPPORT = os.environ.get("INSIGHTS_COPURCHASE_MIN_SUPPORT", "0")
# Rules kept per product (the best by confidence, then lift).
INSIGHTS_COPURCHASE_TOP = int(os.environ.get("INSIGHTS_COPURCHASE_TOP", "10"))
# A product the customer ordered this many days ago or less is not suggested to them.
INSIGHTS_CROSSSELL_RECENT_DAYS = int(os.environ.get("INSIGHTS_CROSSSELL_RECENT_DAYS", "90"))

# --- outbox ---------------------------------------------------------------------------------
EVENTS_MAX_ATTEMPTS = int(os.environ.get("EVENTS_MAX_ATTEMPTS", "5"))
EVENTS_RETRY_BASE_SECONDS = int(os.environ.get("EVENTS_RETRY_BASE_SECONDS", "10"))
# A handler that runs outside the delivery's transaction (network I/O: e-mail) holds its
# delivery this long; a worker that dies meanwhile leaves it to the sweep after that. Keep it
# well above EMAIL_TIMEOUT.
EVENTS_LEASE_SECONDS = int(os.environ.get("EVENTS_LEASE_SECONDS", "300"))
# A pending delivery older than this is re-dispatched by the sweep (its task was lost).
EVENTS_SWEEP_GRACE_SECONDS = int(os.environ.get("EVENTS_SWEEP_GRACE_SECONDS", "60"))
# A dispatch task whose event waited longer than this (the worker is behind) goes on with other
# pending deliveries, up to EVENTS_DISPATCH_BATCH in all.
EVENTS_DRAIN_AFTER_SECONDS = float(os.environ.get("EVENTS_DRAIN_AFTER_SECONDS", "0.5"))
EVENTS_DISPATCH_BATCH = int(os.environ.get("EVENTS_DISPATCH_BATCH", "50"))
# Those of a handler registered with ``registry.batch_of`` (the reservation rule) are taken this
# many at a time, each lot in one transaction and one call (PostgreSQL); any other handler runs in
# a transaction of its own.
EVENTS_HANDLER_BATCH = int(os.environ.get("EVENTS_HANDLER_BATCH", "10"))
# With a Redis broker, an event published while a dispatch task is queued (not yet started)
# queues no task of its own: the queued one runs it. The flag lasts at most this many seconds
# (should its task be lost); 0 queues one task per event.
EVENTS_COALESCE_SECONDS = int(os.environ.get("EVENTS_COALESCE_SECONDS", "10"))
# With coalescing, a dispatch task starts this long after the event that queued it, and takes
# the events published meanwhile along: under load the worker reserves orders by the batch
# (a fifth of the work per order), at the cost of this much latency.
EVENTS_DISPATCH_DELAY_MS = int(os.environ.get("EVENTS_DISPATCH_DELAY_MS", "50"))
# In-app notifications: at most this many unread ones of a kind per user in the period; further
# ones are folded into their kind's group (listed there, never unread rows of their own).
NOTIFICATIONS_PER_KIND = int(os.environ.get("NOTIFICATIONS_PER_KIND", "5"))
NOTIFICATIONS_PERIOD_SECONDS = int(os.environ.get("NOTIFICATIONS_PERIOD_SECONDS", "86400"))
# The service's "today" page lists the tickets due within this many hours (and those breached).
SERVICE_SLA_SOON_HOURS = int(os.environ.get("SERVICE_SLA_SOON_HOURS", "4"))

# --- uploads and imports (core.tabular) ------------------------------------------------------
# Largest import file; checked before it is parsed.
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(10 * 1024 * 1024)))
# An xlsx file (a zip) may declare at most this much data inside, and no member of it may expand
# more than IMPORT_MAX_ZIP_RATIO times (spreadsheets compress about 10 times).
IMPORT_MAX_UNZIPPED_BYTES = 100 * 1024 * 1024
IMPORT_MAX_ZIP_RATIO = 100
# A checked import waits this long for its confirmation, then it is deleted.
IMPORT_PREVIEW_SECONDS = 1800
# Form fields (not files) of a request are held in memory up to this size (a larger body is
# answered 400); uploaded files above FILE_UPLOAD_MAX_MEMORY_SIZE go to a temporary file, and an
# import over IMPORT_MAX_BYTES is refused with a message before it is read.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- idempotent submissions (core.idempotency) ------------------------------------------------
# How long an Idempotency-Key (or a page form's one-time token) and its answer are kept.
IDEMPOTENCY_KEY_TTL_SECONDS = 24 * 3600
# A key whose request has not answered after this long (its process died) may be run again.
IDEMPOTENCY_LEASE_SECONDS = 120
# A repeat that arrives while the first request runs waits this long for its answer, then 409.
IDEMPOTENCY_WAIT_SECONDS = 10

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its challenge header makes an unauthenticated call answer 401, not 403.
        "core.drf.LockoutTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.drf.RolePermission"],
    "DEFAULT_PAGINATION_CLASS": "core.drf.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "core.drf.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "core.schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.drf.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tandem API",
    "DESCRIPTION": "Customers and supply chain in one application.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and the docs page: signed-in users holding a role (README, "Who reads what").
    "SERVE_PERMISSIONS": ["core.drf.AnyRole"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Swagger UI assets come from the installed sidecar package, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a ``state`` field; each choice set gets its own schema name.
    "ENUM_NAME_OVERRIDES": {
        # A bulk price change's direction and a figure's good direction share their values.
        "UpDownEnum": ["up", "down"],
        "QuoteStateEnum": "crm.sales.orders.models.Quote.State",
        "SalesOrderStateEnum": "crm.sales.orders.models.SalesOrder.State",
        "OpportunityStateEnum": "crm.sales.models.pipeline.Opportunity.State",
        "MergeSuggestionStateEnum": "crm.customers.models.MergeSuggestion.State",
        "TransferStateEnum": "scm.inventory.models.Transfer.State",
        "CountSessionStateEnum": "scm.inventory.models.CountSession.State",
        "InvoiceStateEnum": "finance.models.Invoice.State",
        "DeliveryStateEnum": "core.events.models.Delivery.State",
        "ShipmentStateEnum": "integration.fulfilment.models.Shipment.State",
        "PickBatchStateEnum": "integration.fulfilment.models.PickBatch.State",
        "SalesOrderPriorityEnum": "crm.sales.orders.models.SalesOrder.Priority",
        "TicketPriorityEnum": "crm.service.models.Priority",
        "TicketCategoryEnum": "crm.service.models.Category",
        "TicketStateEnum": "crm.service.models.Ticket.State",
        "VisitStateEnum": "crm.service.models.Visit.State",
        "QualityAlertStateEnum": "integration.aftersales.models.QualityAlert.State",
        "RecallStateEnum": "integration.aftersales.models.Recall.State",
        "RecallCustomerStateEnum": "integration.aftersales.models.RecallCustomer.State",
        "RecallCustomerStepEnum": [("contacted", "Contacted"), ("returned", "Returned")],
        "PurchaseCycleKindEnum": "integration.insights.models.selling.CycleKind",
        "PromotionKindEnum": "crm.sales.orders.prices.models.Promotion.Kind",
        "PriceSourceEnum": "crm.sales.orders.prices.models.PriceSource",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Tests and CI: services that must be present (a missing one fails instead of skipping).
TANDEM_REQUIRE_SERVICES = env_bool("TANDEM_REQUIRE_SERVICES", False)
