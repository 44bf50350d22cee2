"""Settings, all read from the environment (django-environ).

Safe by default: DEBUG is off unless DJANGO_DEBUG=true (`make demo` and the tests set it), and
with DEBUG off DJANGO_SECRET_KEY is required. Production sets at least DATABASE_URL,
DJANGO_SECRET_KEY and ALLOWED_HOSTS; the demo runs on an embedded SQLite database.
"""

from __future__ import annotations

import ipaddress
import re
import sys
from pathlib import Path

import environ
from django.templatetags.static import static

from casino_project.db_context import process_context

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str(
    "DJANGO_SECRET_KEY",
    default="django-insecure-demo-only-key-set-DJANGO_SECRET_KEY-in-production" if DEBUG else "",
)
if not SECRET_KEY:
    raise environ.ImproperlyConfigured("DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "ops.errors.csrf_failure"  # our styled 403 (players' or the admin's)

INSTALLED_APPS = [
    # django-unfold (the backoffice's theme) must come before django.contrib.admin: its
    # templates replace the admin's (docs/architecture.md, "Decisions").
    "backoffice.theme.ThemeConfig",  # "unfold", with our admin site (backoffice.site)
    "unfold.contrib.filters",
    "unfold.contrib.forms",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_celery_beat",
    "operators",
    "audit",
    "platform_wallet",
    "catalog",
    "reporting",
    "simulator",
    "lobby",
    "backoffice",
    "ops",
]

MIDDLEWARE = [
    "ops.middleware.OpsEndpointsMiddleware",  # /healthz, /metrics: before host checks
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "ops.middleware.RateLimitMiddleware",  # player pages, logins; never /api/wallet/
    "ops.middleware.StaffStatementTimeoutMiddleware",  # /admin/: STAFF_STATEMENT_TIMEOUT_MS
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "casino_project.urls"
WSGI_APPLICATION = "casino_project.wsgi.application"

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
# DATABASE_URL selects the database; unset, the embedded SQLite file is used (the demo).
# PostgreSQL gets psycopg 3's connection pool and statement/lock timeouts well under the
# PLATFORM's few-second timeout, so that a stuck lock answers OP_47 instead of hanging.
# Files the project writes for itself (the PLATFORM simulator's book, ...); not in git.
DATA_DIR = env.path("DATA_DIR", default=BASE_DIR / "data")
# Statement timeouts beside the wallet's (DB_STATEMENT_TIMEOUT_MS): staff pages (per request) and
# jobs (Celery, management commands: per process, `casino_project.db_context`). 0: none.
STAFF_STATEMENT_TIMEOUT_MS = env.int("STAFF_STATEMENT_TIMEOUT_MS", 30_000)
JOB_STATEMENT_TIMEOUT_MS = env.int("JOB_STATEMENT_TIMEOUT_MS", 900_000)
_database_url = env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {"default": env.db_url_config(_database_url)}
_db = DATABASES["default"]
# Django's PostgreSQL backend, its pooled connections leased to their thread (casino_project/
# postgresql/base.py: a thread that ends gives its connection back).
POSTGRESQL_ENGINE = "casino_project.postgresql"
if _db["ENGINE"] in ("django.db.backends.postgresql", "django.db.backends.postgresql_psycopg2"):
    _db["ENGINE"] = POSTGRESQL_ENGINE
    _running_migrations = len(sys.argv) > 1 and sys.argv[1] in ("migrate", "makemigrations")
    # the wallet's short timeout in web processes, minutes for jobs and commands (db_context)
    statement_timeout = (
        0
        if _running_migrations
        else JOB_STATEMENT_TIMEOUT_MS
        if process_context(sys.argv) == "job"
        else env.int("DB_STATEMENT_TIMEOUT_MS", 2000)
    )
    lock_timeout = 0 if _running_migrations else env.int("DB_LOCK_TIMEOUT_MS", 1000)
    options = _db.setdefault("OPTIONS", {})
    # Django's own queries bind on the client and are never prepared; the wallet's hot path
    # asks for its few statements to be prepared (WALLET_PREPARED_STATEMENTS), which psycopg
    # only does with a threshold set. They keep one generic plan (plan_cache_mode).
    options["prepare_threshold"] = 1_000_000
    options["options"] = (
        f"-c statement_timeout={statement_timeout} -c lock_timeout={lock_timeout}"
        " -c plan_cache_mode=force_generic_plan"
    )
    if env.bool("DB_POOL", default=True):
        _db["CONN_MAX_AGE"] = 0  # the pool keeps the connections
        options["pool"] = {
            "min_size": env.int("DB_POOL_MIN_SIZE", 1),
            "max_size": env.int("DB_POOL_MAX_SIZE", 8),
            "timeout": env.float("DB_POOL_TIMEOUT_S", 2.0),
            # While the database is away the pool retries with a doubling delay; it gives up
            # after this long and the next call starts again at once: calls succeed within a
            # few seconds of the database's return, however long it was away.
            "reconnect_timeout": env.float("DB_POOL_RECONNECT_TIMEOUT_S", 5.0),
        }
    else:
        _db["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", 300)
        _db["CONN_HEALTH_CHECKS"] = True
elif _db["ENGINE"] == "django.db.backends.sqlite3":
    # BEGIN IMMEDIATE: a write transaction takes SQLite's write lock up front, so two wallet
    # calls never read-then-write past each other; busy waits are bounded like PostgreSQL's.
    _db.setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": env.float("SQLITE_TIMEOUT_S", 2.0)}
    )

# A PostgreSQL streaming replica for reports and charts (casino_project/db_router.py): reads
# go to it only inside `platform_wallet.connections.replica_reads()`; its connections run with
# the staff pages' timeout (a job's in jobs), never the wallet's.
_replica_url = env.str("DATABASE_REPLICA_URL", default="")
if _replica_url and _db["ENGINE"] == POSTGRESQL_ENGINE:
    _replica = env.db_url_config(_replica_url)
    _replica["ENGINE"] = _db["ENGINE"]
    _replica["CONN_MAX_AGE"] = _db.get("CONN_MAX_AGE", 0)
    _replica["CONN_HEALTH_CHECKS"] = _db.get("CONN_HEALTH_CHECKS", False)
    _replica["OPTIONS"] = {**_db["OPTIONS"]}
    _replica_timeout = (
        JOB_STATEMENT_TIMEOUT_MS
        if process_context(sys.argv) == "job"
        else STAFF_STATEMENT_TIMEOUT_MS
    )
    _replica["OPTIONS"]["options"] = (
        f"-c statement_timeout={_replica_timeout} -c plan_cache_mode=force_generic_plan"
    )
    _replica["TEST"] = {"MIRROR": "default"}  # tests: the same database
    DATABASES["replica"] = _replica
    DATABASE_ROUTERS = ["casino_project.db_router.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, Celery ----------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
# Production (DEBUG off) caches in Redis, shared by every process and replica (the rate
# limiter's counters); development and tests use each process's memory. CACHE_BACKEND=redis or
# locmem overrides.
if env.str("CACHE_BACKEND", default="locmem" if DEBUG else "redis") == "redis":
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.str("CACHE_REDIS_URL", default=REDIS_URL),
            "KEY_PREFIX": "casino",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task whose worker died is redelivered (acks late); every task here is idempotent.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = env.int("CELERY_RESULT_EXPIRES", 24 * 3600)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The queue tasks go to and workers consume (environments sharing one Redis use their own).
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
# Default time limits (seconds) of a task; the PLATFORM jobs set their own.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", 300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", 360)
# PLATFORM jobs failing on a PLATFORM error retry after about this many seconds, doubling.
PLATFORM_TASK_RETRY_BACKOFF = env.int("PLATFORM_TASK_RETRY_BACKOFF", 30)
# An operator's PLATFORM hosts (api_host, launch_host) must be https:// URLs in production (our
# X-Authorization and the players' launch links travel to them); development (the demo's
# simulator on http://127.0.0.1:8001) may use http://.
PLATFORM_HOSTS_REQUIRE_HTTPS = not DEBUG

# --- Reports and limits alerts ----------------------------------------------------------------
# An available balance (Balance limits API) under this amount raises an alert, mailed to
# DJANGO_ADMINS; per currency with BALANCE_LIMIT_ALERT_THRESHOLDS="EUR=5000,JPY=700000".
BALANCE_LIMIT_ALERT_THRESHOLD = env.str("BALANCE_LIMIT_ALERT_THRESHOLD", default="1000")
BALANCE_LIMIT_ALERT_THRESHOLDS = env.dict("BALANCE_LIMIT_ALERT_THRESHOLDS", default={})
# GGR limits (deprecated API) usage at or over this percentage raises an alert.
GGR_LIMIT_ALERT_PERCENT = env.str("GGR_LIMIT_ALERT_PERCENT", default="90")

# --- Staff money ------------------------------------------------------------------------------
# A manual adjustment whose absolute amount is above this (in the wallet's currency) waits for
# a second staff member's approval before money moves; per currency with
# ADJUSTMENT_APPROVAL_THRESHOLDS="EUR=1000,JPY=150000".
ADJUSTMENT_APPROVAL_THRESHOLD = env.str("ADJUSTMENT_APPROVAL_THRESHOLD", default="1000")
ADJUSTMENT_APPROVAL_THRESHOLDS = env.dict("ADJUSTMENT_APPROVAL_THRESHOLDS", default={})

# --- Auth, i18n, static -----------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "en-us"
# Dates as "2026-12-01 10:46" (casino_project/formats/en/formats.py): compact lists in the admin.
FORMAT_MODULE_PATH = ["casino_project.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

ADMINS = [tuple(a.split(":", 1)) for a in env.list("DJANGO_ADMINS", default=[])]
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
SERVER_EMAIL = env.str("SERVER_EMAIL", default="casino@localhost")

# --- The wallet (gameplay API) ----------------------------------------------------------------
# A game session ends after this many seconds without an authenticate, balance or BET.
WALLET_SESSION_IDLE_SECONDS = env.int("WALLET_SESSION_IDLE_SECONDS", 30 * 60)
# The dashboard's "pending bets": a round with a BET and no WIN or finish after this many minutes.
STALE_ROUND_MINUTES = env.int("STALE_ROUND_MINUTES", 30)
# Session activity is written at most this often (saves a write on most BETs).
WALLET_SESSION_TOUCH_SECONDS = env.int("WALLET_SESSION_TOUCH_SECONDS", 60)
# Operator accounts (id, secret, allow-list) are cached in each process for this long: a
# rotated secret takes effect everywhere within it. When the database cannot be read, the last
# accounts read are kept (calls are still answered with a signed ERROR) and the read is retried
# after WALLET_OPERATOR_RETRY_SECONDS.
WALLET_OPERATOR_CACHE_SECONDS = env.int("WALLET_OPERATOR_CACHE_SECONDS", 30)
WALLET_OPERATOR_RETRY_SECONDS = env.float("WALLET_OPERATOR_RETRY_SECONDS", 2.0)
# Wallet currencies are ISO 4217 codes; codes agreed with the PLATFORM beyond those (3-4
# capital letters or digits, as launch URLs carry them), comma-separated: "MBTC,USDT".
WALLET_CUSTOM_CURRENCIES = [
    code.strip().upper() for code in env.list("WALLET_CUSTOM_CURRENCIES", default=[])
]
if any(not re.fullmatch(r"[A-Z0-9]{3,4}", code) for code in WALLET_CUSTOM_CURRENCIES):
    raise environ.ImproperlyConfigured("WALLET_CUSTOM_CURRENCIES: codes of 3-4 letters or digits")
# Jackpot wins (issue 14): a WIN whose context.reason is one of these (compared in capitals).
# The spec names no jackpot reason (it says reason "can vary per game"): list the values your
# vendors send. PROMO-FREESPIN (the spec's value) marks promotional free-spin wins, not a setting.
JACKPOT_REASONS = [
    reason.strip().upper()
    for reason in env.list("JACKPOT_REASONS", default=["JACKPOT", "JACKPOT-WIN", "JACKPOT_WIN"])
    if reason.strip()
]
# A request_timestamp older than this (seconds), or more than WALLET_MAX_REQUEST_SKEW in the
# future, is refused (OP_20) and counted as a security event: the PLATFORM's signatures never
# cover `data`, so a captured request must die soon. 6 hours covers the PLATFORM's retries of
# queued WINs after an outage of ours of an evening (docs/security.md has the reasoning).
WALLET_MAX_REQUEST_AGE = env.int("WALLET_MAX_REQUEST_AGE", 6 * 3600)
WALLET_MAX_REQUEST_SKEW = env.int("WALLET_MAX_REQUEST_SKEW", 300)
# Production fails closed (issue 10): an operator without an IP allow-list is refused (HTTP
# 403) unless its account opts out explicitly (Operator.allow_any_address, "a private link").
# Not read from the environment: the per-operator opt-out is the only way out.
WALLET_REQUIRE_IP_ALLOWLIST = not DEBUG
# The client address (operators' allow-lists, rate limits, /metrics, logs). Behind N reverse
# proxies that append to X-Forwarded-For, it is read from that header, but only from a peer
# in WALLET_TRUSTED_PROXIES (and through proxies in it): a caller that reaches the server
# directly is seen as itself whatever it writes in the header. 0 uses the socket's address.
WALLET_TRUSTED_PROXY_HOPS = env.int("WALLET_TRUSTED_PROXY_HOPS", 0)
WALLET_TRUSTED_PROXIES = env.list("WALLET_TRUSTED_PROXIES", default=["127.0.0.1/32", "::1/128"])
for _network in WALLET_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError as _error:
        raise environ.ImproperlyConfigured(f"WALLET_TRUSTED_PROXIES: {_error}") from None
# Gameplay API calls refused with 403 (or answered without a WalletCall) are logged at most
# once per this many seconds, command and reason, with the number of calls the line stands for.
WALLET_DENIED_LOG_SECONDS = env.float("WALLET_DENIED_LOG_SECONDS", 10.0)
# Prepare the hot path's statements on PostgreSQL (saves their planning on every call). Turn
# off behind a pooler that cannot keep prepared statements (PgBouncer < 1.21 in transaction mode).
WALLET_PREPARED_STATEMENTS = env.bool("WALLET_PREPARED_STATEMENTS", default=True)
# A thread keeps its pooled connection from one gameplay API call to the next (checking it out
# and returning it cost about a tenth of a BET's CPU), and gives it back after this many
# seconds (so that the pool's own lifetime and replacement of connections still apply) or when
# anything went wrong. 0: every call returns it. (casino-web needs DB_POOL_MAX_SIZE >=
# WEB_THREADS for it: each blocking thread may hold one.)
WALLET_KEEP_CONNECTION_SECONDS = env.int("WALLET_KEEP_CONNECTION_SECONDS", 60)
# On PostgreSQL a changebalance's read carries its write in the same round trip, applied when
# what it read leaves the rules nothing to decide (platform_wallet/ledger/sql.py); off: the
# read and the write as two statements (the way a refused or replayed call always goes).
WALLET_ONE_ROUND_TRIP = env.bool("WALLET_ONE_ROUND_TRIP", default=True)

# --- Lobby (player pages and game launch) --------------------------------------------------------
# The operator account whose catalog visitors who are not logged in see (players see their own);
# empty: the first active operator.
LOBBY_OPERATOR_ID = env.str("LOBBY_OPERATOR_ID", default="")
# Absolute URL of our lobby sent as home_url/lobby_url; empty: built from the request's host.
LOBBY_HOME_URL = env.str("LOBBY_HOME_URL", default="")
# Our deposit page, sent as deposit_url in real-mode launches (omitted when empty).
LOBBY_DEPOSIT_URL = env.str("LOBBY_DEPOSIT_URL", default="")
# Launch parameters group (alphanumeric, 14) and clientName (14), agreed with the PLATFORM;
# a player's own group takes precedence over LOBBY_LAUNCH_GROUP.
LOBBY_LAUNCH_GROUP = env.str("LOBBY_LAUNCH_GROUP", default="")
LOBBY_CLIENT_NAME = env.str("LOBBY_CLIENT_NAME", default="")
# Currency of demo (fun mode) launches for visitors who are not logged in.
LOBBY_FUN_CURRENCY = env.str("LOBBY_FUN_CURRENCY", default="EUR")
LOBBY_PAGE_SIZE = env.int("LOBBY_PAGE_SIZE", 24)
# The play page's reality check: a dialog every this many minutes of a real-money session (time
# played, net result); 0 turns it off. A float, so that tests may make it seconds.
REALITY_CHECK_MINUTES = env.float("REALITY_CHECK_MINUTES", 60.0)

# --- Production security (DEBUG off) ---------------------------------------------------------
# TLS ends at the load balancer, which sets X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER names the
# header; set it empty when nothing in front sets it). The wallet API, /healthz and /metrics are
# not redirected: an API call is never helped by a redirect (the PLATFORM would see a non-200),
# and the container's healthcheck and Prometheus call over plain HTTP inside the network.
if not DEBUG:
    _proxy_ssl_header = env.str("SECURE_PROXY_SSL_HEADER", default="HTTP_X_FORWARDED_PROTO")
    SECURE_PROXY_SSL_HEADER = (_proxy_ssl_header, "https") if _proxy_ssl_header else None
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$", r"^api/wallet/"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Behind PgBouncer in transaction mode a server-side cursor (QuerySet.iterator()) cannot
# outlive its transaction: DB_DISABLE_SERVER_SIDE_CURSORS=true makes Django fetch client-side.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool(
    "DB_DISABLE_SERVER_SIDE_CURSORS", default=False
)

# --- Rate limits (ops.middleware.RateLimitMiddleware), per client address --------------------
# The PLATFORM's calls (WALLET_API_PATH_PREFIX) are never limited. "requests/seconds".
WALLET_API_PATH_PREFIX = "/api/wallet/"
RATE_LIMIT_ENABLED = env.bool("RATE_LIMIT_ENABLED", default=True)
RATE_LIMIT_CACHE = "default"


def _rate(name: str, default: str) -> tuple[int, int]:
    requests, _, seconds = env.str(name, default=default).partition("/")
    return int(requests), int(seconds)


RATE_LIMIT_PAGES = _rate("RATE_LIMIT_PAGES", "300/60")  # every player-facing page
RATE_LIMIT_LOGIN = _rate("RATE_LIMIT_LOGIN", "10/300")  # POSTs to the player and admin logins
RATE_LIMIT_LOGIN_PATHS = env.list("RATE_LIMIT_LOGIN_PATHS", default=[])  # besides those two
RATE_LIMIT_EXEMPT_PREFIXES = [
    WALLET_API_PATH_PREFIX,
    "/" + STATIC_URL.lstrip("/"),
    "/healthz",
    "/metrics",
    "/admin/",  # staff pages behind the admin login (the login POST itself is limited)
]

# --- Health and metrics ---------------------------------------------------------------------
HEALTH_CHECK_REDIS = env.bool("HEALTH_CHECK_REDIS", default=True)
HEALTH_CHECK_TIMEOUT_S = env.float("HEALTH_CHECK_TIMEOUT_S", default=2.0)
# /metrics answers a scraper that sends "Authorization: Bearer METRICS_TOKEN" when it is set;
# otherwise, in development only, callers from these networks (the client address as the
# wallet reads it). Production (DEBUG off) wants the token: without one /metrics answers 403.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
METRICS_REQUIRE_TOKEN = not DEBUG
METRICS_ALLOWED_NETWORKS = env.list(
    "METRICS_ALLOWED_NETWORKS",
    default=["127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"],
)

# --- The backoffice's theme (django-unfold) ---------------------------------------------------
# Blue rather than unfold's purple; the sidebar lists every app the staff member may see, with a
# search box. Our own page styles are templates/admin/backoffice/style.html.
UNFOLD = {
    "SITE_TITLE": "Casino backoffice",
    "SITE_HEADER": "Casino backoffice",
    "SITE_SYMBOL": "casino",
    "SHOW_HISTORY": True,
    "SHOW_VIEW_ON_SITE": False,
    "BORDER_RADIUS": "6px",
    "COLORS": {
        "primary": {
            "50": "oklch(97% .014 254.604)",
            "100": "oklch(93.2% .032 255.585)",
            "200": "oklch(88.2% .059 254.128)",
            "300": "oklch(80.9% .105 251.813)",
            "400": "oklch(70.7% .165 254.624)",
            "500": "oklch(62.3% .214 259.815)",
            "600": "oklch(54.6% .245 262.881)",
            "700": "oklch(48.8% .243 264.376)",
            "800": "oklch(42.4% .199 265.638)",
            "900": "oklch(37.9% .146 265.522)",
            "950": "oklch(28.2% .091 267.935)",
        },
    },
    "SIDEBAR": {"show_search": True, "show_all_applications": True},
    # Served like every static file (collectstatic, WhiteNoise); a callable, resolved per request.
    "STYLES": [lambda request: static("backoffice/backoffice.css")],
    "SITE_FAVICONS": [
        {
            "rel": "icon",
            "sizes": "any",
            "type": "image/svg+xml",
            "href": lambda request: static("lobby/favicon.svg"),
        }
    ],
}

# --- Logging: JSON lines in production (LOG_FORMAT=json), plain text in development ---------
# Every line logged while a wallet call is served carries command, operator, user_id and
# transaction_id; `wallet.calls` writes one line per call (WARNING for 403s and OP_47/OP_50).
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "ops.logs.JsonFormatter"},
    },
    "filters": {"wallet_context": {"()": "ops.logs.WalletContextFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["wallet_context"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "wallet.calls": {"level": env.str("WALLET_CALL_LOG_LEVEL", default="INFO")},
    },
}
