"""Settings for the edubadges portal, read from environment variables only.

With nothing set the portal runs on the embedded default: SQLite and Celery tasks run
inline. Set DATABASE_URL and CELERY_BROKER_URL (or REDIS_URL) for PostgreSQL and Redis
with real workers.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)

# Only for local development and tests; production refuses it.
INSECURE_DEVELOPMENT_SECRET = "insecure-development-secret-do-not-use-in-production"  # noqa: S105
INSECURE_DEVELOPMENT_KEK = "aW5zZWN1cmUtZGV2ZWxvcG1lbnQta2V5LTMyYnl0ZXM="

SECRET_KEY = env_str("SECRET_KEY") or (INSECURE_DEVELOPMENT_SECRET if DEBUG else None)
if not SECRET_KEY or (not DEBUG and SECRET_KEY == INSECURE_DEVELOPMENT_SECRET):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a long random value (or set DEBUG=true for local development)."
    )
if not DEBUG and len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long.")

# Key-encryption keys that protect issuers' private signing keys at rest (urlsafe base64 of
# 32 random bytes each), newest first: keys are sealed with the first, and every one of them
# still opens what it sealed, so that the key-encryption key can be rotated
# (``manage.py signing_keys_reseal`` then seals everything with the newest).
if env_str("SIGNING_KEY_ENCRYPTION_KEYS") and env_str("SIGNING_KEY_ENCRYPTION_KEY"):
    raise ImproperlyConfigured(
        "Set SIGNING_KEY_ENCRYPTION_KEYS (newest first) or SIGNING_KEY_ENCRYPTION_KEY, not both."
    )
SIGNING_KEY_ENCRYPTION_KEYS = env_list("SIGNING_KEY_ENCRYPTION_KEYS") or env_list(
    "SIGNING_KEY_ENCRYPTION_KEY", [INSECURE_DEVELOPMENT_KEK] if DEBUG else []
)
if not SIGNING_KEY_ENCRYPTION_KEYS or (
    not DEBUG and INSECURE_DEVELOPMENT_KEK in SIGNING_KEY_ENCRYPTION_KEYS
):
    raise ImproperlyConfigured(
        "SIGNING_KEY_ENCRYPTION_KEYS (or SIGNING_KEY_ENCRYPTION_KEY) must be set: urlsafe "
        "base64 of 32 random bytes, several separated by commas, newest first."
    )
for _kek in SIGNING_KEY_ENCRYPTION_KEYS:
    if len(_kek) < 16:
        raise ImproperlyConfigured(
            "A key-encryption key is too short: use urlsafe base64 of 32 random bytes."
        )
if len(set(SIGNING_KEY_ENCRYPTION_KEYS)) != len(SIGNING_KEY_ENCRYPTION_KEYS):
    raise ImproperlyConfigured("SIGNING_KEY_ENCRYPTION_KEYS lists a key twice.")

SITE_URL = (env_str("SITE_URL", "http://127.0.0.1:8000") or "").rstrip("/")
_site = urlsplit(SITE_URL)
if _site.scheme not in {"http", "https"} or not _site.hostname:
    raise ImproperlyConfigured(f"SITE_URL must be an absolute http(s) URL, not {SITE_URL!r}")
# Credentials name the issuer as a did:web, which resolvers fetch over https only: an http
# site would issue badges that nobody else can verify. Loopback stays allowed for local runs
# (and benchmarks), as does "testserver", the host of Django's test client, which no one
# outside a test can reach either.
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "testserver"}
if not DEBUG and _site.scheme != "https" and _site.hostname not in LOCAL_HOSTS:
    raise ImproperlyConfigured(
        f"SITE_URL must be an https URL in production (DEBUG off), not {SITE_URL!r}: issued "
        "credentials name the issuer as a did:web, which verifiers fetch over https only. "
        "Only 127.0.0.1 and localhost may use http."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [_site.hostname, "localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [f"{_site.scheme}://{_site.netloc}"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
    "allauth.usersessions",
    "rest_framework",
    "drf_spectacular",
    "oauth2_provider",
    "accounts",
    "notifications",
    "issuers",
    "frameworks",
    "privacy",
    "badges",
    "staff",
    "students",
    "public",
    "backpack",
    "api",
    "insights",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files straight from the app (gunicorn included), compressed and cached.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The page policy and the request limits (``edubadges/middleware.py``).
    "edubadges.middleware.SecurityHeadersMiddleware",
    "edubadges.middleware.RequestLimitsMiddleware",
    # The hosted assertion and credential JSON, stored when signed: answered here, before the
    # middleware that pages need. Middleware that sets headers on every answer goes above.
    "public.middleware.PublishedDocumentMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "accounts.middleware.SecondFactorSetupMiddleware",
]

ROOT_URLCONF = "edubadges.urls"
WSGI_APPLICATION = "edubadges.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "edubadges.context_processors.navigation",
                "accounts.context_processors.sign_in_options",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}") or "",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# One role per user and scope is enforced by PostgreSQL; on SQLite the services keep it so.
SILENCED_SYSTEM_CHECKS = ["models.W047"]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
# Mandatory verification keeps sign-up from telling which addresses are registered (the owner
# of a registered address gets a mail instead) and makes every password account's address a
# verified one, which roles, offers and claims rely on.
ACCOUNT_EMAIL_VERIFICATION = env_str("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[edubadges] "
ACCOUNT_REAUTHENTICATION_REQUIRED = True
# Rate limits, counted in the shared cache below so that they hold across web processes. The
# limits per address stay generous and short (a school's NAT signs in many students at once);
# the limit per account is the strict one.
ACCOUNT_RATE_LIMITS = {
    "login": "200/m/ip",
    "login_failed": "40/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,3/5m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    # The claim links in award emails: guessing is hopeless (long tokens), but not free.
    "claim": "60/m/ip",
    # The Open Badges API: its service description (cacheable, asked for once per wallet)
    # and the open client registration, which must not fill the database.
    "ob3_discovery": "120/m/ip",
    "oauth_register": "10/h/ip",
}
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
USERSESSIONS_TRACK_ACTIVITY = False

# Two-factor authentication (allauth.mfa): authenticator apps, security keys and passkeys, and
# recovery codes. Platform and institution admins who sign in with a password must use it.
MFA_ADAPTER = "accounts.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = "edubadges"
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG

# Sign-in through SURFconext (staff) and eduID (students), OpenID Connect with PKCE. The URL is
# the issuer's: its /.well-known/openid-configuration is read, and ID tokens must name exactly
# that issuer. A provider without a URL is not offered.
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_EMAIL_VERIFICATION = "optional"
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = 10


def oidc_app(provider_id: str, name: str, issuer: str, client_id: str, secret: str) -> dict:
    """An allauth openid_connect app with PKCE whose ID tokens must name ``issuer``."""
    return {
        "provider_id": provider_id,
        "name": name,
        "client_id": client_id,
        "secret": secret,
        "settings": {
            "server_url": issuer,
            "oauth_pkce_enabled": True,
            "fetch_userinfo": True,
            "scope": ["openid", "profile", "email"],
            # An ID token must come from the configured issuer, whatever discovery says.
            "openid_configuration_overrides": {"issuer": issuer},
        },
    }


def _oidc_app_from_environment(provider_id: str, name: str, prefix: str) -> dict | None:
    issuer = (env_str(f"{prefix}_OIDC_URL") or "").rstrip("/")
    if not issuer:
        return None
    if urlsplit(issuer).scheme not in {"http", "https"}:
        raise ImproperlyConfigured(f"{prefix}_OIDC_URL must be an http(s) URL")
    client_id = env_str(f"{prefix}_CLIENT_ID")
    if not client_id:
        raise ImproperlyConfigured(f"{prefix}_CLIENT_ID is needed with {prefix}_OIDC_URL")
    return oidc_app(provider_id, name, issuer, client_id, env_str(f"{prefix}_CLIENT_SECRET") or "")


SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            app
            for app in (
                _oidc_app_from_environment("surfconext", "SURFconext", "SURFCONEXT"),
                _oidc_app_from_environment("eduid", "eduID", "EDUID"),
            )
            if app
        ],
    }
}

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
FORMAT_MODULE_PATH = ["edubadges.formats"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "edubadges.storage.UploadStorage"},
    # ``collectstatic`` writes a gzip copy next to each file; WhiteNoise serves it when asked.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
JSON_MAX_DEPTH = 64

# Email
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if env_str("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# A slow mail server must not hold a send longer than the outbox sweep waits for it.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "edubadges <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: inline on the embedded default, real workers once a broker is configured.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or env_str("REDIS_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery closes a worker's database connection after every task unless this is set; the
# worker closes it instead once it is older than CONN_MAX_AGE or broken (edubadges.celery).
CELERY_DB_REUSE_MAX = 1000
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Web requests queue their work after commit, so a broker host that drops packets must not hold
# a request: each try to reach the broker gives up after half a second, and a publish is tried
# twice (the second on a fresh connection, which is what a restarted Redis needs): about a
# second in all, then the failure is logged and the sweeps queue the work later. Workers keep
# longer time-outs (``edubadges/celery.py``).
BROKER_TIMEOUT_SECONDS = 0.5
CELERY_BROKER_CONNECTION_TIMEOUT = 2 * BROKER_TIMEOUT_SECONDS
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": BROKER_TIMEOUT_SECONDS,
    "socket_timeout": BROKER_TIMEOUT_SECONDS,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0,
    "interval_max": 0,
}
# The cache holds the rate limits and the two-factor codes already used, so it must be shared by
# every web process: Redis when there is one (CACHE_URL, else REDIS_URL or a redis:// broker),
# else the database. While Redis cannot be reached the database's cache table stands in
# (``edubadges/cache.py``): the limits keep holding, and sign-in keeps working.
CACHE_URL = (
    env_str("CACHE_URL")
    or env_str("REDIS_URL")
    or (
        CELERY_BROKER_URL if (CELERY_BROKER_URL or "").startswith(("redis://", "rediss://")) else ""
    )
)
if CACHE_URL and not CACHE_URL.startswith(("redis://", "rediss://")):
    raise ImproperlyConfigured("CACHE_URL must be a redis:// URL (or unset for the database)")
CACHES = {
    "default": {
        "BACKEND": "edubadges.cache.RedisWithDatabaseFallback",
        "LOCATION": CACHE_URL,
        "KEY_PREFIX": "edubadges",
        # A Redis that does not answer within half a second is treated as down.
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        "FALLBACK_TABLE": "edubadges_cache",
        "RETRY_AFTER": 30,
    }
    if CACHE_URL
    else {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "edubadges_cache",
        "KEY_PREFIX": "edubadges",
    }
}

# The sweeps that hand out again what a crashed worker or a lost message left behind run
# every minute, so work resumes within a minute or two of a worker dying.
SWEEP_INTERVAL = 60.0
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "sweep-assertions": {"task": "badges.tasks.sweep_assertions", "schedule": SWEEP_INTERVAL},
    "privacy-purge-unclaimed-awards": {
        "task": "privacy.tasks.purge_unclaimed_awards",
        "schedule": 24 * 3600.0,
    },
    "privacy-purge-expired-exports": {
        "task": "privacy.tasks.purge_expired_exports",
        "schedule": 3600.0,
    },
    "privacy-purge-stale-invitations": {
        "task": "privacy.tasks.purge_stale_invitations",
        "schedule": 24 * 3600.0,
    },
    "privacy-requeue-data-exports": {
        "task": "privacy.tasks.requeue_data_exports",
        "schedule": 600.0,
    },
    "awards-release-scheduled": {
        "task": "badges.tasks.release_scheduled_awards",
        "schedule": 300.0,
    },
    "awards-send-reminders": {"task": "badges.tasks.send_award_reminders", "schedule": 3600.0},
    "awards-expire": {"task": "badges.tasks.expire_awards", "schedule": 3600.0},
    "assertions-expire": {"task": "badges.tasks.expire_assertions", "schedule": 3600.0},
    "notifications-sweep": {
        "task": "notifications.tasks.sweep_notifications",
        "schedule": SWEEP_INTERVAL,
    },
    "bulk-awards-sweep": {"task": "badges.tasks.sweep_bulk_awards", "schedule": SWEEP_INTERVAL},
    "bulk-awards-purge": {"task": "badges.tasks.purge_bulk_awards", "schedule": 24 * 3600.0},
    "oauth-clear-expired-tokens": {"task": "api.tasks.clear_expired_tokens", "schedule": 3600.0},
}

# Privacy retention: how long exports stay downloadable, how long awards that never became
# a badge are kept at most (a statement's shorter retention wins), and how long expired
# invitations are kept before they are removed.
PRIVACY_EXPORT_VALIDITY_DAYS = env_int("PRIVACY_EXPORT_VALIDITY_DAYS", 7)
PRIVACY_UNCLAIMED_AWARD_RETENTION_DAYS = env_int("PRIVACY_UNCLAIMED_AWARD_RETENTION_DAYS", 365)
PRIVACY_INVITATION_GRACE_DAYS = env_int("PRIVACY_INVITATION_GRACE_DAYS", 30)

# Awarding: reminders to claim an offered badge (days after the offer went out), expiry of
# offers nobody claimed, and the limits of a bulk (CSV) award.
try:
    AWARD_REMINDER_DAYS = sorted(int(day) for day in env_list("AWARD_REMINDER_DAYS", ["20", "40"]))
except ValueError as error:
    raise ImproperlyConfigured(
        "AWARD_REMINDER_DAYS must be comma-separated days, e.g. 20,40"
    ) from error
AWARD_EXPIRY_DAYS = env_int("AWARD_EXPIRY_DAYS", 82)
if AWARD_EXPIRY_DAYS < 1 or any(not 0 < day < AWARD_EXPIRY_DAYS for day in AWARD_REMINDER_DAYS):
    raise ImproperlyConfigured("Award reminders must fall between the offer and its expiry.")
BULK_AWARD_MAX_BYTES = env_int("BULK_AWARD_MAX_BYTES", 50 * 1024 * 1024)
BULK_AWARD_MAX_ROWS = env_int("BULK_AWARD_MAX_ROWS", 25_000)
BULK_AWARD_BATCH_SIZE = env_int("BULK_AWARD_BATCH_SIZE", 500)
BULK_AWARD_RETENTION_DAYS = env_int("BULK_AWARD_RETENTION_DAYS", 30)
# No request body may be larger than the largest upload (a bulk award's CSV) and some room for
# the form around it; a larger one is refused by its Content-Length before it is read.
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", BULK_AWARD_MAX_BYTES + 1024 * 1024)

# The public verifier may fetch other issuers' badges; off unless switched on.
VERIFY_ALLOW_FETCH = env_bool("VERIFY_ALLOW_FETCH", False)
# What those fetches may reach (``edubadges/outbound.py``): the standard ports of public
# addresses, plus internal networks an operator lists (CIDR, comma-separated).
OUTBOUND_FETCH_PORTS = [80, 443]
OUTBOUND_FETCH_ALLOWED_NETWORKS = env_list("OUTBOUND_FETCH_ALLOWED_NETWORKS", [])
for _network in OUTBOUND_FETCH_ALLOWED_NETWORKS:
    try:
        ipaddress.ip_network(_network)
    except ValueError as error:
        raise ImproperlyConfigured(
            f"OUTBOUND_FETCH_ALLOWED_NETWORKS: {_network!r} is not a network (CIDR)"
        ) from error

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiTokenAuthentication"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "edubadges API",
    "DESCRIPTION": "Award badges from learning and student information systems.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
}

# The 1EdTech Open Badges 3.0 API: an OAuth 2.0 authorization server (django-oauth-toolkit)
# for wallets and other hosts that a student lets read or add their credentials.
OB3_API_TERMS_URL = env_str("OB3_API_TERMS_URL", "") or ""
OB3_API_PRIVACY_URL = env_str("OB3_API_PRIVACY_URL", "") or ""
OB3_API_ACCESS_TOKEN_SECONDS = env_int("OB3_API_ACCESS_TOKEN_SECONDS", 3600)
OB3_API_REFRESH_TOKEN_DAYS = env_int("OB3_API_REFRESH_TOKEN_DAYS", 180)
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "SCOPES_BACKEND_CLASS": "api.ob3.scopes.RegisteredScopes",
    "PKCE_REQUIRED": True,
    "ACCESS_TOKEN_EXPIRE_SECONDS": OB3_API_ACCESS_TOKEN_SECONDS,
    # The recommended lifetime of the 1EdTech security framework; used once.
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 600,
    # A refresh token unused this long is cleared (by the periodic job) and the student
    # is asked again; each use rotates it, and a reused one revokes its whole family.
    "REFRESH_TOKEN_EXPIRE_SECONDS": OB3_API_REFRESH_TOKEN_DAYS * 24 * 3600,
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "REQUEST_APPROVAL_PROMPT": "force",
    # The Open Badges API allows https redirect URIs only (checked again at registration).
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
    # RFC 9700 (OAuth 2.0 security best current practice): S256 only, tokens hashed at rest,
    # never in a query string, no implicit or password grant, the issuer in the response.
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    # RFC 9207: the authorization response names this server (its address, as in its RFC 8414
    # metadata), so that a client talking to several servers can tell them apart.
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
}

# Security headers; HTTPS-only settings follow SITE_URL. The reverse proxy in front terminates
# TLS and redirects http to https (README: "Security").
_https = _site.scheme == "https"
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if _https else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if _https else None
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Inline tasks would log every run; workers keep the usual task log.
    "loggers": {"celery.app.trace": {"level": "WARNING" if CELERY_TASK_ALWAYS_EAGER else "INFO"}},
}

VAR_DIR.mkdir(parents=True, exist_ok=True)
