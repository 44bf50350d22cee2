"""Settings, all read from the environment (django-environ).

With nothing set, the project runs on an embedded SQLite database with DEBUG on: the demo.
Production sets at least DATABASE_URL, DJANGO_SECRET_KEY, DJANGO_DEBUG=false and ALLOWED_HOSTS.
"""

from __future__ import annotations

import sys
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env.str(
    "DJANGO_SECRET_KEY",
    default="django-insecure-demo-only-key-set-DJANGO_SECRET_KEY-in-production" if DEBUG else "",
)
if not SECRET_KEY:
    raise environ.ImproperlyConfigured("DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_celery_beat",
    "platform_wallet",
    "catalog",
    "reporting",
    "simulator",
    "lobby",
    "backoffice",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
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
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
_db = DATABASES["default"]
if _db["ENGINE"] in ("django.db.backends.postgresql", "django.db.backends.postgresql_psycopg2"):
    _db["ENGINE"] = "django.db.backends.postgresql"
    _running_migrations = len(sys.argv) > 1 and sys.argv[1] in ("migrate", "makemigrations")
    statement_timeout = 0 if _running_migrations else env.int("DB_STATEMENT_TIMEOUT_MS", 2000)
    lock_timeout = 0 if _running_migrations else env.int("DB_LOCK_TIMEOUT_MS", 1000)
    options = _db.setdefault("OPTIONS", {})
    options["options"] = f"-c statement_timeout={statement_timeout} -c lock_timeout={lock_timeout}"
    if env.bool("DB_POOL", default=True):
        _db["CONN_MAX_AGE"] = 0  # the pool keeps the connections
        options["pool"] = {
            "min_size": env.int("DB_POOL_MIN_SIZE", 1),
            "max_size": env.int("DB_POOL_MAX_SIZE", 8),
            "timeout": env.float("DB_POOL_TIMEOUT_S", 2.0),
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

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, Celery ----------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
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
# Default time limits (seconds) of a task; the PLATFORM jobs set their own.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", 300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", 360)

# --- Reports and limits alerts ----------------------------------------------------------------
# An available balance (Balance limits API) under this amount raises an alert, mailed to
# DJANGO_ADMINS; per currency with BALANCE_LIMIT_ALERT_THRESHOLDS="EUR=5000,JPY=700000".
BALANCE_LIMIT_ALERT_THRESHOLD = env.str("BALANCE_LIMIT_ALERT_THRESHOLD", default="1000")
BALANCE_LIMIT_ALERT_THRESHOLDS = env.dict("BALANCE_LIMIT_ALERT_THRESHOLDS", default={})
# GGR limits (deprecated API) usage at or over this percentage raises an alert.
GGR_LIMIT_ALERT_PERCENT = env.str("GGR_LIMIT_ALERT_PERCENT", default="90")

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
# Session activity is written at most this often (saves a write on most BETs).
WALLET_SESSION_TOUCH_SECONDS = env.int("WALLET_SESSION_TOUCH_SECONDS", 60)
# Operator accounts (id, secret) are cached in each process for this long: a rotated secret
# takes effect everywhere within it.
WALLET_OPERATOR_CACHE_SECONDS = env.int("WALLET_OPERATOR_CACHE_SECONDS", 30)
# Behind N reverse proxies that append to X-Forwarded-For, the caller's address for the
# operators' IP allow-lists is read from that header; 0 uses the socket's address.
WALLET_TRUSTED_PROXY_HOPS = env.int("WALLET_TRUSTED_PROXY_HOPS", 0)

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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
