"""Django settings. Every value comes from the environment (see README, "Configuration")."""

from __future__ import annotations

import sys
from pathlib import Path

import dj_database_url

from monopilot.core.env import env_bool, env_int, env_list, env_str, persistent_secret

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(env_str("MONOPILOT_VAR_DIR", str(PROJECT_DIR / "var")))
TESTING = "pytest" in sys.modules or env_bool("MONOPILOT_TESTING")

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = persistent_secret("SECRET_KEY", VAR_DIR)
# Pepper for API-key digests and key for secrets at rest; separate from SECRET_KEY so that
# rotating session signing does not invalidate every partner's API key.
MONOPILOT_KEY_PEPPER = persistent_secret("MONOPILOT_KEY_PEPPER", VAR_DIR)
MONOPILOT_ENCRYPTION_KEY = persistent_secret("MONOPILOT_ENCRYPTION_KEY", VAR_DIR)
MONOPILOT_ALLOW_PRIVATE_URLS = env_bool("MONOPILOT_ALLOW_PRIVATE_URLS", False)
MONOPILOT_EMBEDDED = not env_str("DATABASE_URL")
MONOPILOT_DEMO_PASSWORD = env_str("MONOPILOT_DEMO_PASSWORD", "demo")
MONOPILOT_HTTP_TIMEOUT = env_int("MONOPILOT_HTTP_TIMEOUT", 30)
# API keys: how long a verified key is trusted in-process; pepper version of new digests.
MONOPILOT_APIKEY_CACHE_SECONDS = env_int("MONOPILOT_APIKEY_CACHE_SECONDS", 5)
MONOPILOT_KEY_PEPPER_VERSION = env_int("MONOPILOT_KEY_PEPPER_VERSION", 1)
# Behind a reverse proxy the client IP (allow-lists, limits) comes from X-Forwarded-For.
MONOPILOT_USE_X_FORWARDED_FOR = env_bool("MONOPILOT_USE_X_FORWARDED_FOR", False)
MONOPILOT_RATE_LIMIT_REDIS_URL = env_str("MONOPILOT_RATE_LIMIT_REDIS_URL", "")
# How long a worker owns a claimed outbox message before another may take it (0: derived).
MONOPILOT_OUTBOX_LEASE_SECONDS = env_int("MONOPILOT_OUTBOX_LEASE_SECONDS", 0) or None
# Check every published payload against its JSON Schema (costs ~50 µs; on in dev and tests).
MONOPILOT_VALIDATE_EVENTS = env_bool("MONOPILOT_VALIDATE_EVENTS", DEBUG or TESTING)
# "buffered": log rows are written by a background thread in batches; "sync": at once.
MONOPILOT_LOG_WRITER = env_str("MONOPILOT_LOG_WRITER", "sync" if TESTING else "buffered")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "monopilot.core",
    "monopilot.tenancy",
    "monopilot.events",
    "monopilot.integration_logs",
    "monopilot.erp",
    "monopilot.outbox",
    "monopilot.webhooks",
    "monopilot.apikeys",
    "monopilot.api",
    "monopilot.exchange",
    "monopilot.edi",
    "monopilot.console",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "monopilot.urls"
WSGI_APPLICATION = "monopilot.wsgi.application"
AUTH_USER_MODEL = "tenancy.User"
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/integrations/dashboard"

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


def _database() -> dict[str, object]:
    url = env_str("DATABASE_URL")
    if url:
        db = dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
    else:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        db = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "monopilot.sqlite3"),
            # IMMEDIATE makes writers take the lock at BEGIN, so two writers queue instead of
            # failing with "database is locked" half-way through a transaction.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                # WAL + NORMAL: commits do not fsync (checkpoints do); a crash of the
                # process loses nothing, a power cut at most the last commits. A 64 MiB page
                # cache keeps the UUID-keyed indexes of the log/outbox tables in memory.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"
                ),
            },
        }
    test_name = env_str("MONOPILOT_TEST_DB_NAME")
    if test_name:
        db["TEST"] = {"NAME": test_name}
    return db


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if env_bool("MONOPILOT_TASKS_IMMEDIATE")
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default", "outbox", "exchange"],
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("pl", "Polski")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG and not MONOPILOT_EMBEDDED)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # The task worker logs every empty poll at INFO (twice a second).
        "django_tasks_db": {"level": "WARNING"},
    },
}
