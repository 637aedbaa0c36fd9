"""Settings read from the environment (12-factor), with defaults that run embedded:
SQLite, in-memory channel layer, LocMem cache. See README.md for every variable."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
WS_ALLOWED_ORIGINS = env_list("WS_ALLOWED_ORIGINS", "http://127.0.0.1:8000,http://localhost:8000")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "channels",
    "django_tasks",
    # Before django_tasks_db: its `db_worker` command is django-tasks-db's plus a lease.
    "backend.ops",
    "django_tasks_db",
    "backend.common",
    "backend.accounts",
    "backend.neighbourhoods",
    "backend.trust",
    "backend.photos",
    "backend.chat",
    "backend.feed",
    "backend.push",
    "backend.moderation",
    "backend.cities",
    "backend.privacy",
    "backend.demo",
    "backend.web",
]
# The pages' maps (backend/web): a Leaflet tile URL template, and its attribution.
# Empty: the maps show posts and partners without tiles (as in the tests).
WEB_MAP_TILES_URL = os.environ.get("MAP_TILES_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
WEB_MAP_TILES_ATTRIBUTION = os.environ.get("MAP_TILES_ATTRIBUTION", "© OpenStreetMap contributors")

MIDDLEWARE = [
    # First: probes and scrapers call by the process's address, which ALLOWED_HOSTS does
    # not list, and /healthz must not depend on anything below.
    "backend.ops.middleware.probes_middleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # An exhausted database pool answers 503 server_busy; an unexpected error under /api/
    # answers JSON server_error, never Django's HTML page.
    "backend.ops.middleware.ErrorsMiddleware",
]

ROOT_URLCONF = "backend.urls"
ASGI_APPLICATION = "asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        # Without a pool (SQLite, or DB_POOL_MAX=0): sockets run their queries in one
        # thread per process, and keeping its connection spares one per message.
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        # No health-check query before each batch: a dead connection fails one call
        # (nothing is acknowledged, clients resend) and is replaced on the next.
        conn_health_checks=False,
    )
}
# PostgreSQL: a bounded pool of connections per process (psycopg_pool through Django).
# A caller that finds every connection lent out waits DB_POOL_TIMEOUT seconds, then gets
# 503 server_busy with Retry-After (backend/ops/middleware.py). Size it so that
# (web processes + workers) x DB_POOL_MAX stays under PostgreSQL's max_connections.
DB_POOL_MAX = int(os.environ.get("DB_POOL_MAX", "10"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and DB_POOL_MAX > 0:
    # The pool keeps the connections: Django hands each back after its request.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": min(int(os.environ.get("DB_POOL_MIN", "2")), DB_POOL_MAX),
        "max_size": DB_POOL_MAX,
        "timeout": float(os.environ.get("DB_POOL_TIMEOUT", "3")),
        # Callers allowed to queue for a connection; past it they are refused at once (0: no limit).
        "max_waiting": int(os.environ.get("DB_POOL_MAX_WAITING", "0")),
        "name": "voisins",
    }
# The Retry-After of a 503 server_busy, in seconds.
SERVER_BUSY_RETRY_AFTER = int(os.environ.get("SERVER_BUSY_RETRY_AFTER", "2"))
# Django requests one process runs at once, each in a thread (backend/common/gate.py);
# more wait as coroutines up to HTTP_QUEUE_SECONDS, then answer 503 server_busy.
HTTP_MAX_CONCURRENT = int(os.environ.get("HTTP_MAX_CONCURRENT", "100"))
HTTP_QUEUE_SECONDS = float(os.environ.get("HTTP_QUEUE_SECONDS", "10"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
# The channel layer may be sharded over several Redis servers (comma-separated URLs;
# channels-redis spreads groups and channels over them by name): docs/capacity.md.
CHANNEL_LAYER_URLS = [url.strip() for url in os.environ.get("CHANNEL_LAYER_URLS", REDIS_URL).split(",") if url.strip()]
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "backend.common.cache.ProcessRedisCache", "LOCATION": REDIS_URL}}
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": CHANNEL_LAYER_URLS},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 10_000}}
    }

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A worker renews its lease this often; a worker that has not for TASKS_LEASE_SECONDS is
# taken for dead and its running task goes back in the queue (backend/ops/services.py).
# A task whose workers died under it TASKS_MAX_ATTEMPTS times is failed instead.
TASKS_HEARTBEAT_SECONDS = float(os.environ.get("TASKS_HEARTBEAT_SECONDS", "5"))
TASKS_LEASE_SECONDS = float(os.environ.get("TASKS_LEASE_SECONDS", "30"))
TASKS_MAX_ATTEMPTS = int(os.environ.get("TASKS_MAX_ATTEMPTS", "3"))
if TASKS_LEASE_SECONDS < 3 * TASKS_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured("TASKS_LEASE_SECONDS must be at least 3 x TASKS_HEARTBEAT_SECONDS.")
# Task path -> seconds between runs (backend/common/periodic.py).
PERIODIC_TASKS = {
    "backend.feed.tasks.feed_sweep": int(os.environ.get("FEED_SWEEP_SECONDS", "60")),
    "backend.push.tasks.devices_prune": 24 * 3600,
    "backend.photos.tasks.photos_sweep": 3600,
    "backend.privacy.tasks.retention_sweep": int(os.environ.get("PRIVACY_SWEEP_SECONDS", "3600")),
}

# Content reported by this many distinct members is hidden from residents until reviewed.
MODERATION_HIDE_AFTER_REPORTS = int(os.environ.get("MODERATION_HIDE_AFTER_REPORTS", "3"))

# Phone pushes: "console" logs them; "fcm" sends through Firebase Cloud Messaging with
# the service account of GOOGLE_APPLICATION_CREDENTIALS.
PUSH_BACKEND = os.environ.get("PUSH_BACKEND", "console")
if PUSH_BACKEND not in ("console", "fcm"):
    raise ImproperlyConfigured("PUSH_BACKEND is console or fcm")
# Tests and benchmarks only: a host that stands for https://fcm.googleapis.com.
PUSH_FCM_ENDPOINT = os.environ.get("PUSH_FCM_ENDPOINT", "")
# Keep-alive connections to FCM of one worker process, and how long one request may take.
PUSH_FCM_CONNECTIONS = int(os.environ.get("PUSH_FCM_CONNECTIONS", "100"))
PUSH_FCM_TIMEOUT_SECONDS = float(os.environ.get("PUSH_FCM_TIMEOUT_SECONDS", "30"))
# A push is decided this long after its message, so that a neighbour reading live gets none.
PUSH_DELAY_SECONDS = float(os.environ.get("PUSH_DELAY_SECONDS", "10"))
# Pushes are sent and their outcome recorded this many at a time: a worker killed
# mid-send sends again, on its next attempt, at most this many pushes FCM already had.
PUSH_CONFIRM_EVERY = int(os.environ.get("PUSH_CONFIRM_EVERY", "100"))

# Operations (docs/operations.md). GET /metrics answers a scraper that presents
# `Authorization: Bearer $METRICS_TOKEN` or comes from METRICS_ALLOWED_IPS (addresses or
# networks); a worker serves its own metrics on METRICS_PORT when set.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", "127.0.0.1,::1" if DEBUG else "")
METRICS_PORT = int(os.environ.get("METRICS_PORT", "0"))
# How long /readyz waits for each dependency before calling it unreachable.
READYZ_TIMEOUT_SECONDS = float(os.environ.get("READYZ_TIMEOUT_SECONDS", "2"))

AUTH_USER_MODEL = "accounts.User"
# The sign-up's password field states the length (backend/accounts/api.py); the rules a
# schema cannot state (too common, too like her email or name) answer weak_password.
PASSWORD_MIN_LENGTH = 10
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/admin/login/"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
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
# Proofs of address live here, outside STATIC_ROOT and any MEDIA_URL: only an
# authorised view reads them.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "var" / "private"))

# Photos (backend/photos): in the "photos" storage, read only through signed links
# served by an authorised view. On disk under PRIVATE_MEDIA_ROOT by default; in an S3
# bucket (django-storages) when PHOTOS_S3_BUCKET is set, with boto3's credentials
# (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, or the machine's role).
PHOTOS_S3_BUCKET = os.environ.get("PHOTOS_S3_BUCKET", "")
if PHOTOS_S3_BUCKET:
    STORAGES["photos"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": PHOTOS_S3_BUCKET,
            "endpoint_url": os.environ.get("PHOTOS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("PHOTOS_S3_REGION") or None,
            "default_acl": None,  # private: the bucket's own policy, never public-read
            "querystring_auth": True,  # the view redirects to a presigned URL...
            "querystring_expire": 60,  # ...that lasts a minute
            "file_overwrite": False,
        },
    }
else:
    STORAGES["photos"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT / "photos-store", "base_url": None},
    }
PHOTOS_MAX_BYTES = int(os.environ.get("PHOTOS_MAX_MB", "20")) * 1024 * 1024
# Checked on the declared size before decoding (decompression bombs); 48 MP phones pass.
PHOTOS_MAX_PIXELS = int(os.environ.get("PHOTOS_MAX_MEGAPIXELS", "50")) * 1_000_000
PHOTOS_LONG_SIDE = 2048
PHOTOS_THUMBNAIL_SIDE = 400
PHOTOS_URL_TTL_SECONDS = int(os.environ.get("PHOTOS_URL_TTL_SECONDS", "3600"))
PHOTOS_UNATTACHED_TTL = timedelta(seconds=int(os.environ.get("PHOTOS_UNATTACHED_SECONDS", str(24 * 3600))))
# Photos decoded at once per process (each takes tens of MB); a caller waits this long
# for a slot, then gets 503 server_busy.
PHOTOS_PROCESSING_SLOTS = int(os.environ.get("PHOTOS_PROCESSING_SLOTS", "2"))
PHOTOS_PROCESSING_WAIT_SECONDS = float(os.environ.get("PHOTOS_PROCESSING_WAIT_SECONDS", "10"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "backend.accounts.authentication.DeviceTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "backend.common.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Voisins API",
    "DESCRIPTION": "REST API of Voisins. Errors are JSON objects {code, message, fields?}; see frontend-contract/README.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "LanguageEnum": "backend.accounts.models.Language",
        "MembershipStateEnum": "backend.trust.models.Membership.State",
        "MembershipRouteEnum": "backend.trust.models.Membership.Route",
        "ProofStateEnum": "backend.trust.models.ProofOfAddress.State",
        "PostKindEnum": "backend.feed.domain.KINDS",
        "PostStatusEnum": "backend.feed.domain.STATUSES",
        "RoomKindEnum": "backend.chat.models.Room.Kind",
        "ModerationActionKindEnum": "backend.moderation.models.Action.Kind",
        "OrganisationKindEnum": "backend.cities.models.Organisation.Kind",
        "CivicReportStatusEnum": "backend.cities.domain.STATUSES",
    },
}

# Accounts
API_TOKEN_TTL = timedelta(days=int(os.environ.get("API_TOKEN_TTL_DAYS", "30")))
# A used token's expiry slides forward at most this often, so a request is not a write.
API_TOKEN_SLIDE_EVERY = timedelta(hours=1)
LOGIN_FAILURE_LIMIT = 5
LOGIN_FAILURE_WINDOW = timedelta(minutes=15)

# Trust
TRUST_VOUCHES_NEEDED = int(os.environ.get("TRUST_VOUCHES_NEEDED", "1"))
TRUST_VOUCH_QUOTA = int(os.environ.get("TRUST_VOUCH_QUOTA", "3"))
TRUST_VOUCH_QUOTA_PERIOD = timedelta(days=30)
TRUST_LETTER_CODE_TTL = timedelta(days=30)
TRUST_LETTER_CODE_MAX_ATTEMPTS = 5
TRUST_PROOF_MAX_BYTES = 10 * 1024 * 1024

# Chat
CHAT_WRITES_PER_WINDOW = int(os.environ.get("CHAT_WRITES_PER_WINDOW", "20"))
CHAT_WRITE_WINDOW_SECONDS = 10
CHAT_TICKET_TTL_SECONDS = 60
CHAT_MAX_SOCKETS_PER_USER = 10
CHAT_IDLE_TIMEOUT_SECONDS = int(os.environ.get("CHAT_IDLE_TIMEOUT_SECONDS", "75"))
# Frames waiting for one socket's writer; a socket this far behind is closed (it resumes
# from its cursor) so that one slow reader never holds up a room.
CHAT_SOCKET_QUEUE_SIZE = int(os.environ.get("CHAT_SOCKET_QUEUE_SIZE", "1000"))
CHAT_PRESENCE_TTL_SECONDS = 90
# How often each process closes idle sockets and refreshes its sockets' presence.
CHAT_SWEEP_SECONDS = 5.0
# How often the hub sends what it gathers: unread counts of rooms a socket does not
# follow (rooms.activity) and who came online or went offline (presence.changed).
CHAT_ACTIVITY_SECONDS = 0.5
# How often each process checks that the channel layer still reaches it.
CHAT_LAYER_PROBE_SECONDS = 1.0

# Your data (backend/privacy). How long Voisins keeps what: each rule is applied by the
# periodic retention_sweep and written on the data page (/data/) from these same values
# (backend.common.retention gathers every rule from the apps' retention.py, with those
# set elsewhere).
PRIVACY_EXPORT_DAYS = int(os.environ.get("PRIVACY_EXPORT_DAYS", "7"))
PRIVACY_APPLICATION_ADDRESS_DAYS = int(os.environ.get("PRIVACY_APPLICATION_ADDRESS_DAYS", "183"))
PRIVACY_INACTIVE_ACCOUNT_DAYS = int(os.environ.get("PRIVACY_INACTIVE_ACCOUNT_DAYS", str(3 * 365)))
PRIVACY_INACTIVE_GRACE_DAYS = int(os.environ.get("PRIVACY_INACTIVE_GRACE_DAYS", "30"))
PRIVACY_TASK_RESULTS_DAYS = int(os.environ.get("PRIVACY_TASK_RESULTS_DAYS", "7"))
PRIVACY_PUSH_DELIVERIES_DAYS = int(os.environ.get("PRIVACY_PUSH_DELIVERIES_DAYS", "7"))
PRIVACY_PUSH_DEVICES_DAYS = int(os.environ.get("PRIVACY_PUSH_DEVICES_DAYS", "60"))
PRIVACY_EXPIRED_EXPORTS_DAYS = int(os.environ.get("PRIVACY_EXPIRED_EXPORTS_DAYS", "30"))
PRIVACY_RETENTION_RUNS_DAYS = int(os.environ.get("PRIVACY_RETENTION_RUNS_DAYS", "90"))
# The warning of an inactive account goes by email too: the console in development.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Voisins <no-reply@voisins.invalid>")
# Where people reach this server, for the links of emails.
PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
