"""Tasvieh settings: one module, every knob read from the environment (see README)."""

import warnings
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from clearance.settings.env import env_bool, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parents[2]

DEBUG = env_bool("TASVIEH_DEBUG", False)
# Production must set its own key; `manage.py check --deploy` flags the default one.
SECRET_KEY = env_secret("TASVIEH_SECRET_KEY", "django-insecure-demo-and-tests-only")
ALLOWED_HOSTS = env_list("TASVIEH_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("TASVIEH_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "persian",
    "accounts",
    "clearance.apps.ClearanceConfig",
    # Before viewflow: viewflow ships registration/ templates of its own design, which
    # would otherwise replace the admin's password change pages.
    "django.contrib.admin",
    "viewflow",
    "accounts.apps.WorkflowEngineConfig",  # viewflow.workflow
    "accounts.apps.SignInAttemptsConfig",  # axes
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "django_tasks",
    "accounts.apps.BackgroundTasksConfig",  # django_tasks_db
    "import_export",
]

MIDDLEWARE = [
    # Answers /healthz before host checks and the HTTPS redirect: load balancers probe
    # the app server directly, by address, over plain HTTP.
    "clearance.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "clearance.middleware.strip_nul_parameters",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "clearance.middleware.PersianFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clearance.urls"
WSGI_APPLICATION = "clearance.wsgi.application"

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
                "clearance.context_processors.portal",
            ],
            "builtins": ["persian.templatetags.persian"],
        },
    }
]

# PostgreSQL in production and tests (DATABASE_URL); SQLite only for the demo.
DATABASES = {
    "default": dj_database_url.parse(
        env_secret("DATABASE_URL", f"sqlite:///{BASE_DIR / 'demo.sqlite3'}"),
        conn_max_age=env_int("TASVIEH_DB_CONN_MAX_AGE", 60),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.OfficeRoleBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Persian first.
LANGUAGE_CODE = "fa"
LANGUAGES = [("fa", _("Persian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TASVIEH_TIME_ZONE", "Asia/Tehran")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("TASVIEH_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# Front-end libraries come from the npm registry (package.json) and are served from
# node_modules under /static/vendor/: nothing third-party is committed or fetched from a CDN.
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap/dist", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/tom-select/dist", NODE_MODULES / "tom-select" / "dist"),
    ("vendor/@majidh1/jalalidatepicker/dist", NODE_MODULES / "@majidh1/jalalidatepicker/dist"),
    ("vendor/vazirmatn", NODE_MODULES / "vazirmatn"),
    ("vendor/chart.js/dist", NODE_MODULES / "chart.js" / "dist"),
]

# Uploaded documents live outside the static tree and are only served through a view
# that checks who may see them.
MEDIA_ROOT = Path(env_str("TASVIEH_MEDIA_ROOT", str(BASE_DIR / "private-media")))
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": "/documents/"},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# WhiteNoise serves static files, with or without DEBUG. In production, after
# `collectstatic`, the compressed collected files; in the demo straight from the sources.
if env_bool("TASVIEH_COLLECTED_STATIC", False):
    STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"}
else:
    WHITENOISE_USE_FINDERS = True
    # Nothing is collected into STATIC_ROOT in this mode; WhiteNoise need not say so.
    warnings.filterwarnings("ignore", message="No directory at: ")
# Offices, faculties and the form's lists are kept in each process this long (accounts.tables).
TASVIEH_TABLE_CACHE_SECONDS = env_int("TASVIEH_TABLE_CACHE_SECONDS", 60)
# The menu's count of the tasks waiting at each office is kept this long (clearance.waiting).
TASVIEH_WAITING_COUNT_SECONDS = env_int("TASVIEH_WAITING_COUNT_SECONDS", 10)
TASVIEH_MAX_UPLOAD_MB = env_int("TASVIEH_MAX_UPLOAD_MB", 5)
# A request waiting longer than this at one office is overdue in the reports.
TASVIEH_OVERDUE_DAYS = env_int("TASVIEH_OVERDUE_DAYS", 7)
DATA_UPLOAD_MAX_MEMORY_SIZE = (TASVIEH_MAX_UPLOAD_MB + 1) * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Messages to people are queued in the database, in the transaction of the event that
# causes them, and delivered by `manage.py db_worker` (see docs/deploy.md).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# /healthz calls the worker "behind" when a message has waited longer than this.
TASVIEH_WORKER_STALE_SECONDS = env_int("TASVIEH_WORKER_STALE_SECONDS", 300)

# A failed e-mail or SMS is tried again after 1, 3, 9, 27 … minutes (this base × 3^n, at
# most 6 hours apart), TASVIEH_DELIVERY_ATTEMPTS times in all; then it is marked failed.
TASVIEH_DELIVERY_ATTEMPTS = env_int("TASVIEH_DELIVERY_ATTEMPTS", 6)
TASVIEH_DELIVERY_RETRY_SECONDS = env_int("TASVIEH_DELIVERY_RETRY_SECONDS", 60)
# The experts' daily digest lists the tasks they have held for longer than this.
TASVIEH_DIGEST_HELD_DAYS = env_int("TASVIEH_DIGEST_HELD_DAYS", 3)

# Text messages: "console" (the demo prints them), "memory" (tests), "kavenegar" (the
# Kavenegar gateway's HTTP API), or the dotted path of a class with the same send().
TASVIEH_SMS_BACKEND = env_str("TASVIEH_SMS_BACKEND", "console")
TASVIEH_SMS_TIMEOUT = env_int("TASVIEH_SMS_TIMEOUT", 10)
TASVIEH_KAVENEGAR_API_KEY = env_secret("TASVIEH_KAVENEGAR_API_KEY")
TASVIEH_KAVENEGAR_SENDER = env_str("TASVIEH_KAVENEGAR_SENDER")
TASVIEH_KAVENEGAR_URL = env_str("TASVIEH_KAVENEGAR_URL", "https://api.kavenegar.com/v1")

# E-mail to students and experts; console output unless an SMTP server is configured.
TASVIEH_SITE_URL = env_str("TASVIEH_SITE_URL", "http://127.0.0.1:8000")
EMAIL_BACKEND = env_str("TASVIEH_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("TASVIEH_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("TASVIEH_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("TASVIEH_EMAIL_USER")
EMAIL_HOST_PASSWORD = env_secret("TASVIEH_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("TASVIEH_EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("TASVIEH_EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("TASVIEH_EMAIL_FROM", "tasvieh@localhost")

TASVIEH_PASSWORD_RESET_URL = env_str("TASVIEH_PASSWORD_RESET_URL", "https://account.iums.ac.ir/")
TASVIEH_UNIVERSITY_NAME = env_str("TASVIEH_UNIVERSITY_NAME", "")
TASVIEH_QUEUE_PAGE_SIZE = env_int("TASVIEH_QUEUE_PAGE_SIZE", 25)

# Throttle failed sign-ins (django-axes): per username and address, per address across
# usernames (password spraying), per username across addresses; each with its own limit
# (accounts.throttle).
AXES_ENABLED = env_bool("TASVIEH_AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("TASVIEH_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("TASVIEH_LOGIN_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address", "username"]
TASVIEH_LOGIN_ADDRESS_FAILURE_LIMIT = env_int("TASVIEH_LOGIN_ADDRESS_FAILURE_LIMIT", 30)
TASVIEH_LOGIN_USERNAME_FAILURE_LIMIT = env_int("TASVIEH_LOGIN_USERNAME_FAILURE_LIMIT", 10)
if (
    min(
        AXES_FAILURE_LIMIT,
        TASVIEH_LOGIN_ADDRESS_FAILURE_LIMIT,
        TASVIEH_LOGIN_USERNAME_FAILURE_LIMIT,
    )
    < 1
):
    raise ImproperlyConfigured("TASVIEH_LOGIN_*FAILURE_LIMIT must be at least 1")
AXES_HANDLER = "accounts.throttle.SignInThrottle"
# Count "Ali", "ALI" and "EXAMPLE\ali" as one username, whichever form posted them.
AXES_USERNAME_CALLABLE = "accounts.directory.axes_username"
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "clearance.network.client_ip"
AXES_VERBOSE = False
# Its admin pages are registered by accounts.admin, in Persian and the Jalali calendar.
AXES_ENABLE_ADMIN = False

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("TASVIEH_SESSION_HOURS", 8) * 3600
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Production runs behind HTTPS (TASVIEH_HTTPS=1): secure cookies, redirects and HSTS.
HTTPS = env_bool("TASVIEH_HTTPS", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = env_int("TASVIEH_HSTS_SECONDS", 31536000) if HTTPS else 0
# Both cover only the portal's own host name and the names below it (e.g.
# tasvieh.example.ac.ir), never the university's other sites; preloading takes effect only
# once the university submits its domain, so sending the directive costs nothing.
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS and env_bool("TASVIEH_HSTS_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = HTTPS and env_bool("TASVIEH_HSTS_PRELOAD", True)
TASVIEH_BEHIND_PROXY = env_bool("TASVIEH_BEHIND_PROXY", False)
if TASVIEH_BEHIND_PROXY:
    # The reverse proxy terminates TLS and says so in this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
# Every page's scripts, styles, fonts and images come from the portal itself: no inline
# code, no CDN. Bootstrap draws its icons (select arrows, the menu button) as data: SVGs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
# Role uniqueness with a NULL faculty needs PostgreSQL; the SQLite demo lives without it.
SILENCED_SYSTEM_CHECKS = ["models.W047"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("TASVIEH_LOG_LEVEL", "WARNING")},
}

# Active Directory sign-in: enabled when TASVIEH_LDAP_SERVER_URI is set.
from clearance.settings.directory import configure as _configure_directory  # noqa: E402

_configure_directory(globals())
