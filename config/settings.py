"""QG settings: one module, read from environment variables.

QG_ENV=development (the default) gives safe local defaults: the private PostGIS and
Redis that `make run` starts, e-mails printed on the console. QG_ENV=production
requires SECRET_KEY, DATABASE_URL, REDIS_URL and ALLOWED_HOSTS, and turns on the
HTTPS protections; nothing secret has a default there. See README.md.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

QG_ENV = env_str("QG_ENV", "development")
if QG_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"QG_ENV must be development or production, not {QG_ENV!r}.")
PRODUCTION = QG_ENV == "production"

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    # Debug pages show settings, SQL and tracebacks to whoever triggers an error.
    raise ImproperlyConfigured("DEBUG must be false in production (QG_ENV=production).")
if PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be at least 50 random characters.")
else:
    SECRET_KEY = env_str("SECRET_KEY", "insecure-development-key-never-used-in-production-0123456789")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required in production (comma-separated host names).")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Where the official data files are read from (never committed to the repository).
DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR.parent / "shared" / "data")))
# `manage.py fetch_data`: a mirror laid out like DATA_DIR; empty = each publisher's own address.
DATA_BASE_URL = env_str("QG_DATA_BASE_URL", "")
# The compact demo set shipped in the repository (licences in demo_data/SOURCES.md), read when
# DATA_DIR holds none of the demo's files.
DEMO_DATA_DIR = BASE_DIR / "demo_data"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "leaflet",
    "circonscriptions",
    "hq",
    "observations",
    "fiches",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "hq.middleware.ContentSecurityPolicyMiddleware",
    "hq.middleware.RefuseNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "hq.middleware.FrenchFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "hq.middleware.SecondFactorRequiredMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "hq.context_processors.role",
                "hq.context_processors.csp",
            ],
        },
    },
]

# The project's scripts start PostGIS on QG_PG_PORT and Redis on QG_REDIS_PORT.
_pg_port = env_int("QG_PG_PORT", 55432)
_redis_port = env_int("QG_REDIS_PORT", 56379)
if PRODUCTION:
    DATABASE_URL = env_str("DATABASE_URL")
    REDIS_URL = env_str("REDIS_URL")
else:
    DATABASE_URL = env_str("DATABASE_URL", f"postgis://qg@127.0.0.1:{_pg_port}/qg")
    REDIS_URL = env_str("REDIS_URL", f"redis://127.0.0.1:{_redis_port}/0")

DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, engine="django.contrib.gis.db.backends.postgis", conn_max_age=env_int("DB_CONN_MAX_AGE", 60)
    )
}
# Several test runs may share one cluster (helpers, CI): each can name its own test database.
DATABASES["default"]["TEST"] = {"NAME": env_str("QG_TEST_DB", "test_qg")}

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "qg",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}

AUTH_USER_MODEL = "hq.User"
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
LOGOUT_REDIRECT_URL = "account_login"

# django-allauth: e-mail log-in, no usernames, membership by invitation only.
ACCOUNT_ADAPTER = "hq.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGIN_ON_PASSWORD_RESET = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = None
# A password reset asked for an address QG does not know sends nothing: sign-up is closed,
# and a mail inviting a stranger to it would only confirm which addresses are members.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
# Behind the load balancer every request comes from its address: the rate limits below count
# per client IP, so they must read the client from X-Forwarded-For, trusting as many hops as
# there are proxies of ours (1 in production: the load balancer; 0 when served directly).
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1 if PRODUCTION else 0)
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
}

# Second factor (allauth.mfa): an authenticator app (TOTP) and single-use recovery codes.
# HQ accounts can read and change every member's data of their federation (or all of
# them): they must have one (hq.middleware.SecondFactorRequiredMiddleware); other
# members may add one. Tests of other features empty QG_MFA_REQUIRED_ROLES (conftest.py).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "QG"
MFA_ADAPTER = "hq.adapters.MFAAdapter"
QG_MFA_REQUIRED_ROLES = ["national_hq", "federal_hq"]

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "QG <qg@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# The one folder of the storage that members may read by address (/media/images/…) and
# fiches may show; PDFs, batches and uploaded files are only reached through scoped views.
MEDIA_IMAGES_DIR = "images/"
# Static files as production serves them: collected into STATIC_ROOT with hashed names and
# compressed copies (`collectstatic`), served by WhiteNoise from there only. Production does;
# `make run` does too (scripts/serve.sh sets QG_SERVE_COLLECTED_STATIC, `make setup` collects).
SERVE_COLLECTED_STATIC = env_bool("QG_SERVE_COLLECTED_STATIC", default=PRODUCTION)
STORAGES = {
    # Files go through Django's storage API: an S3-compatible backend can replace this one.
    "default": {"BACKEND": env_str("FILE_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage")},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if SERVE_COLLECTED_STATIC
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# WhiteNoise: otherwise (`make dev`, tests), serve straight from the apps' and project's
# static directories (finders, re-read on each request), so development and tests need no
# `collectstatic` and WhiteNoise does not warn "No directory at staticfiles/". From
# STATIC_ROOT, a missing file is still warned about.
WHITENOISE_USE_FINDERS = not SERVE_COLLECTED_STATIC
WHITENOISE_AUTOREFRESH = not SERVE_COLLECTED_STATIC

# The address that links in e-mails (invitations) start with when no request is at hand;
# views pass the address the request came to.
SITE_URL = env_str("SITE_URL", "" if PRODUCTION else "http://127.0.0.1:8000")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# GDAL 3.6 (Debian 12) is older than Django 5.2 wants, and works for what QG does.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

# Celery: the broker is the same Redis; tasks are thin and take ids.
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = False
# Time limits: a task stuck on a bad file or a dead connection must not hold a worker for
# ever. At the soft limit the task gets SoftTimeLimitExceeded (an exception its service
# records, e.g. an import or a batch marked failed); at the hard limit the worker process
# is killed and replaced. Defaults for any task; the long ones set their own
# (circonscriptions.tasks, circonscriptions.profiles.tasks, fiches.tasks). Enforced by
# the prefork pool the worker runs (scripts/serve.sh), not by --pool=solo.
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 10 * 60)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 12 * 60)
CELERY_BEAT_SCHEDULE_FILENAME = env_str(
    "CELERY_BEAT_SCHEDULE_FILENAME", str(Path(os.environ.get("QG_STATE_DIR", BASE_DIR / "var")) / "celerybeat-schedule")
)

# Caps on imported files (circonscriptions/importers/guards.py), each refused with a
# French sentence: an uploaded file's size (checked before it is stored), a gzip or zip
# archive's decompressed size (read in streaming), and the vertices of a boundary file
# (counted before any geometry is built), in the whole file and in one feature.
QG_IMPORT_MAX_UPLOAD_BYTES = env_int("QG_IMPORT_MAX_UPLOAD_BYTES", 100 * 1024 * 1024)
QG_IMPORT_MAX_DECOMPRESSED_BYTES = env_int("QG_IMPORT_MAX_DECOMPRESSED_BYTES", 500 * 1024 * 1024)
QG_IMPORT_MAX_VERTICES = env_int("QG_IMPORT_MAX_VERTICES", 2_000_000)
QG_IMPORT_MAX_VERTICES_PER_FEATURE = env_int("QG_IMPORT_MAX_VERTICES_PER_FEATURE", 200_000)

LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (46.6, 2.4),
    "DEFAULT_ZOOM": 5,
    "RESET_VIEW": False,
    # No tile server by default: these machines are offline; polygons still draw.
    "TILES": [(_("Map"), env_str("MAP_TILE_URL"), {"attribution": env_str("MAP_TILE_ATTRIBUTION", "")})]
    if os.environ.get("MAP_TILE_URL")
    else [],
}

# HTTPS protections: on in production, where a proxy terminates TLS.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
# The preload directive only allows submitting the domain to browsers' HSTS list (by
# hand, at hstspreload.org); SECURE_HSTS_PRELOAD=false leaves it out.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=PRODUCTION)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint logs each rendering step at INFO, and parses its own CSS on import: six
    # lines of noise before the output of every manage.py command otherwise.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}},
}
