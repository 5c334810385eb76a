"""Settings for Reserve, read from the environment.

Defaults are safe for a local first run: SQLite file under var/, DEBUG off unless asked for.
Production sets DATABASE_URL (PostgreSQL), SECRET_KEY, ALLOWED_HOSTS.
"""

import datetime
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional; absent on most machines

DEBUG = env.bool("DEBUG", default=False)
# The "django-insecure-" prefix makes `check --deploy` refuse this development key (security.W009).
SECRET_KEY = env("SECRET_KEY", default="django-insecure-local-development-key-change-me-0123456789abcdef")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_ratelimit",
    "axes",
    "csp",
    "django_otp",  # the optional second factor (TOTP), issue 5 §4
    "django_otp.plugins.otp_totp",
    "django_q",  # background jobs (reserve/jobs.py), issue 13 §3
    # The stages, in the order their dependencies run (docs/architecture.md): each may import only
    # those above it. demo (the demo data) sits on top of all of them.
    "reserve",
    "candidates",
    "vetting",
    "inspection",
    "publicity",
    "training",
    "cultivation",
    "assessment",
    "dossier",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "reserve.uploads.RequestBodyLimitMiddleware",  # 413 for a body over its view's limit, before it is read
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "reserve.middleware.SessionLifetimeMiddleware",  # at most SESSION_ABSOLUTE_AGE after the sign-in
    "reserve.middleware.PrivateResponseMiddleware",  # Cache-Control: no-store on every signed-in answer
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): a TOTP code was given this session
    "reserve.middleware.AuditContextMiddleware",  # the request for the audit log; records denials
    "reserve.middleware.DomainErrorMiddleware",  # request.scope; NotFound → 404, NotAllowed → 403
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "reserve.middleware.SecondFactorMiddleware",  # a TOTP code after the password; enrolment where required
    "reserve.middleware.ForcePasswordChangeMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "reserve.urls"

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
                "reserve.context_processors.navigation",
                "candidates.context_processors.current_round",
            ],
        },
    },
]

# Django's form renderer with its stock inputs, text areas and selects written in Python (reserve/form_renderer.py)
FORM_RENDERER = "reserve.form_renderer.FastWidgetRenderer"

WSGI_APPLICATION = "reserve.wsgi.application"
ASGI_APPLICATION = "reserve.asgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
# Persistent connections (issue 13 §2): a connection is kept CONN_MAX_AGE seconds and reused by the requests its
# thread serves after it, instead of a new one opened per request; CONN_HEALTH_CHECKS tests a kept connection before
# reusing it (a database restarted meanwhile costs one reconnection, not a failed request). 0: one per request —
# the default on SQLite, where opening the file costs next to nothing.
_sqlite = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0 if _sqlite else 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded database used by many people at once (issue 9 §13; tests/reserve/test_concurrency_sqlite.py):
    # - WAL journal: readers never wait for the writer, nor the writer for readers;
    # - every transaction starts with BEGIN IMMEDIATE: it takes the write lock first, so two saves queue one
    #   after the other instead of one failing at once with "database is locked" (a deferred transaction
    #   that read first cannot wait for the lock: SQLite refuses it to avoid a deadlock); so SQLite's online
    #   backup (reserve/backup.py) must run outside any transaction, as `manage.py backup` does;
    # - a busy timeout: how long a save waits in that queue before it fails;
    # - synchronous=NORMAL: the usual setting with WAL; a commit survives a crash of the app, and a power cut
    #   may lose only the last commits, never corrupt the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "transaction_mode": "IMMEDIATE",
        "timeout": env.int("SQLITE_BUSY_TIMEOUT", default=20),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    })
# PostgreSQL with two roles (manage.py setup_db_roles): the app connects as one that may only read and add to the
# audit log; purge_audit connects as the tables' owner, through this second alias when it is set.
if env("AUDIT_PURGE_DATABASE_URL", default=""):
    DATABASES["audit_purge"] = env.db("AUDIT_PURGE_DATABASE_URL")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "reserve.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out user or address
    "django.contrib.auth.backends.ModelBackend",
]
# Argon2 first (等保 / ASVS); the others only to read older hashes.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# 等保: at least 8 characters of at least three kinds, no common or all-digit password. The common passwords
# (compared case-insensitively) are the app's own list, reserve/common-passwords.txt.gz: Django's 20,000, John
# the Ripper's and the composites a "three kinds" rule breeds (Admin@123, Abc@1234, the demo's Demo@2026 …),
# built by scripts/build_common_passwords.py.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator",
     "OPTIONS": {"password_list_path": BASE_DIR / "reserve" / "common-passwords.txt.gz"}},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "reserve.passwords.CommonWordVariantValidator",
     "OPTIONS": {"password_list_path": BASE_DIR / "reserve" / "common-passwords.txt.gz"}},
    {"NAME": "reserve.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
]

# Behind a reverse proxy that sets X-Real-IP from the connection (nginx: `proxy_set_header X-Real-IP
# $remote_addr`): the client's address is read from it (reserve.audit.client_address, the one function
# that the audit log, the lockout and the throttles use).
TRUSTED_PROXY = env.bool("TRUSTED_PROXY", default=False)

# Login lockout (django-axes): 5 failures on one account (from any address), or 20 from one address (on any
# accounts: a town office signs in from one address), lock it for 30 minutes. The address is the app's own
# (AXES_CLIENT_IP_CALLABLE), not django-ipware's; the name kept in axes' tables has ID numbers masked and is cut to their 255 characters
# (reserve.signals.lockout_username). A correct login clears only the failures of that account from that
# address (reserve.signals.clear_own_failures), never the address's failures on other accounts, so axes'
# own AXES_RESET_ON_SUCCESS (which clears both) is off. A wrong current password on the password change
# page counts as a failed login of that account (reserve.forms.PasswordChangeForm).
AXES_FAILURE_LIMIT = 5  # on one account, from any addresses
ADDRESS_FAILURE_LIMIT = env.int("ADDRESS_FAILURE_LIMIT", default=20)  # from one address, on any accounts
AXES_HANDLER = "reserve.lockout.LockoutHandler"  # the two limits (reserve/lockout.py)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = datetime.timedelta(minutes=30)
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_CLIENT_IP_CALLABLE = "reserve.audit.client_network"  # an IPv6 client by its /64
AXES_USERNAME_CALLABLE = "reserve.signals.lockout_username"
# The request data axes keeps with an attempt shows these as asterisks: the name (kept masked in its own column)
# and every password field — the password change's too, which counts as a sign-in attempt.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "old_password", "new_password1", "new_password2"]

# The audit log (reserve.audit) is kept at least 180 days; `manage.py purge_audit` removes older rows.
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=365)
if AUDIT_RETENTION_DAYS < 180:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("AUDIT_RETENTION_DAYS must be at least 180 (audit rows are kept 180 days or more).")

# The second factor (django-otp, TOTP): the name an authenticator app shows; the admin never shows a key.
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="村级后备干部管理")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Sessions end after 30 minutes without a request, when the browser closes, and at the latest
# SESSION_ABSOLUTE_AGE seconds (default 12 hours) after the sign-in, however active
# (reserve.middleware.SessionLifetimeMiddleware). The idle limit is pushed on by saving the session; a signed-in
# session is saved again at most every SESSION_REFRESH_INTERVAL seconds (the middleware), not on every request
# (SESSION_SAVE_EVERY_REQUEST would write its row on each page): a session then ends between 29 and 30 minutes
# after its last request (issue 13 §2, the per-request fixed queries).
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_INTERVAL = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_AGE = env.int("SESSION_ABSOLUTE_AGE", default=12 * 3600)
# Where sessions live: in the database (django_session) by default, which every app server shares, so a user
# signed in through one server is served by any other, and a session outlives a restart of Redis.
# SESSION_ENGINE=django.contrib.sessions.backends.cache keeps them in Redis instead (REDIS_URL, required: a
# per-process cache would sign the user out on every other process): no read and write of a session row on each
# request, but a flush or a restart of a Redis without persistence signs everyone out.
SESSION_ENGINE = env("SESSION_ENGINE", default="django.contrib.sessions.backends.db")
if SESSION_ENGINE.rsplit(".", 1)[-1] in ("cache", "cached_db") and not env("REDIS_URL", default=""):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("Sessions in the cache need the cache every app process shares: set REDIS_URL.")
# Under HTTPS the session and CSRF cookies carry the __Host- prefix: a browser keeps such a cookie only
# when it is Secure, set for the whole site (Path=/) and for this host alone (no Domain), so no other host
# of the domain nor a plain-HTTP page can plant or overwrite it.
if env.bool("HTTPS", default=False):
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文"))]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
# Uploaded files and generated documents (the ID-card copies, vetting attachments, notice PDFs, exports) are
# read and written through Django's storage API only (reserve/storage.py), so that every app server sees the same
# files: STORAGE_BACKEND=local (the default) keeps them under MEDIA_ROOT — one server, or a directory every server
# mounts; STORAGE_BACKEND=s3 keeps them in a bucket of an S3-compatible object store (django-storages), private:
# no public ACL, and any URL it would give is signed and expires — though the app never gives one out, it serves
# each file through a view that checks the user's scope. `manage.py backup` copies MEDIA_ROOT only (local).
STORAGE_BACKEND = env("STORAGE_BACKEND", default="local")
if STORAGE_BACKEND == "s3":
    from botocore.config import Config as _S3ClientConfig

    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),  # MinIO, Ceph, a cloud's own; unset: AWS
            "region_name": env("AWS_S3_REGION_NAME", default=None),
            # Unset: boto3's own chain (its environment variables, ~/.aws, an instance role).
            "access_key": env("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env("AWS_SECRET_ACCESS_KEY", default=None),
            "location": env("AWS_LOCATION", default=""),  # a prefix inside the bucket
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 300,
            # A name is never reused: an upload whose name is taken gets another (as on disk), never overwrites.
            "file_overwrite": False,
            # A file read for a download is held in memory up to this size, then in a temporary file.
            "max_memory_size": 2 * 1024 * 1024,
            # An unreachable store fails a request within seconds with a clear message (reserve/storage.py),
            # instead of holding a worker for boto3's default minute and its five attempts.
            "client_config": _S3ClientConfig(
                connect_timeout=5, read_timeout=30, retries={"max_attempts": 2, "mode": "standard"},
                signature_version="s3v4",
                s3={"addressing_style": env("AWS_S3_ADDRESSING_STYLE", default="auto")},
            ),
        },
    }
elif STORAGE_BACKEND == "local":
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env("MEDIA_ROOT", default=str(VAR_DIR / "media"))},
    }
else:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"STORAGE_BACKEND must be local or s3, not {STORAGE_BACKEND!r}.")
STORAGES = {
    # Uploaded personal documents live outside the static tree and are never given a public URL:
    # they are served only through views that check the user's scope.
    "default": _default_storage,
    # As production serves them (bin/start): STATICFILES_BACKEND=whitenoise.storage.CompressedManifestStaticFilesStorage
    # and `manage.py collectstatic` — names with a hash of the content, compressed copies, served by WhiteNoise
    # with a far-future cache. The default needs no collectstatic (development, the tests).
    "staticfiles": {
        "BACKEND": env(
            "STATICFILES_BACKEND",
            default="django.contrib.staticfiles.storage.StaticFilesStorage",
        ),
    },
}
# WhiteNoise serves the collected files (STATIC_ROOT) under the manifest storage; without it, the source folders.
WHITENOISE_USE_FINDERS = "Manifest" not in STORAGES["staticfiles"]["BACKEND"]

# The cache holds the throttle counters (the public objection form), which must be shared by every
# app process: Redis (REDIS_URL) in production. Without it — a local single-process run — a
# per-process memory cache is correct, and django-ratelimit's warning about it is silenced.
if env("REDIS_URL", default=""):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env("REDIS_URL")}}
    # Django's own Redis backend increments atomically (INCR); django-ratelimit 4.1 predates it.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
RATELIMIT_VIEW = "reserve.views_errors.throttled"
# The client address for throttling (django-ratelimit's "ip" key): the app's own function, as for the
# lockout and the audit log (TRUSTED_PROXY above); a request without X-Real-IP is not an error.
RATELIMIT_IP_META_KEY = "reserve.audit.client_address"
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default="")  # e.g. https://reserve.example.gov.cn, for QR codes

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# ID numbers are encrypted at rest (reserve/crypto.py). FIELD_ENCRYPTION_KEYS: comma-separated
# Fernet keys, the first encrypts and all decrypt (rotation: put a new key first, run
# `manage.py rotate_encryption_keys`, then drop the old one). ID_HASH_KEY: the secret of the keyed
# hash used to find and keep unique a number. Unset (a local run, the tests): both are derived from
# SECRET_KEY, which `check --deploy` reports; production sets both.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
ID_HASH_KEY = env("ID_HASH_KEY", default="")

# Uploads: the ID-card copy, vetting attachments and paper answers. A body larger than its view accepts is refused
# (413) on its Content-Length before it is read (reserve.uploads.RequestBodyLimitMiddleware); the web server caps it
# too (docs/deploy/nginx.conf). Stored files are readable by the app's user only, in directories only it can open.
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=5 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
# File fields whose uploads are stored encrypted with FIELD_ENCRYPTION_KEYS (reserve.uploads.replace_document; the
# downloads decrypt; rotate_encryption_keys re-encrypts them): the ID-card copy shows the full ID number.
ENCRYPTED_UPLOADS = ["candidates.Nomination.id_card_copy"]

# Generated PDFs (reserve/pdf.py): the largest HTML source rendered and the longest render (seconds; the layout
# runs in a child process killed after it; 0: in the calling process, no time bound).
PDF_MAX_HTML_BYTES = env.int("PDF_MAX_HTML_BYTES", default=512 * 1024)
PDF_RENDER_TIMEOUT = env.int("PDF_RENDER_TIMEOUT", default=30)
# The most files (一人一档) one ZIP download holds: it is streamed, one rendered file after another (about 2–3 s
# each), and holds one of gunicorn's threads while it runs — 100 files about four minutes.
DOSSIER_ZIP_MAX = env.int("DOSSIER_ZIP_MAX", default=100)

# Background jobs (reserve/jobs.py): django-q2 with its ORM broker, on the app's own database (PostgreSQL, or SQLite
# for the demo); `manage.py qcluster` is the worker (bin/start, docs/deploy/reserve-worker.service). A job runs at
# most JOB_TIMEOUT seconds; a job whose worker died (killed, machine restarted) is handed out again after `retry`
# seconds, up to `max_attempts` runs (reserve.jobs.execute counts them and starts afresh). JOB_SYNC=true runs each
# job inside the request that asks for it (no worker; the tests do so). Generated files are kept JOB_RETENTION_DAYS
# (`manage.py purge_jobs`); an audit-log export of more than EXPORT_INLINE_ROWS rows is a job.
JOB_TIMEOUT = env.int("JOB_TIMEOUT", default=600)
JOB_RETRY = env.int("JOB_RETRY", default=JOB_TIMEOUT + 120)  # must exceed JOB_TIMEOUT
JOB_MAX_ATTEMPTS = 3
JOB_MODULES = env.list("JOB_MODULES", default=[])  # extra modules that register kinds (reserve.jobs.discover_kinds)
JOB_RETENTION_DAYS = env.int("JOB_RETENTION_DAYS", default=7)
EXPORT_INLINE_ROWS = env.int("EXPORT_INLINE_ROWS", default=2000)
Q_CLUSTER = {
    "name": "reserve",
    "workers": env.int("JOB_WORKERS", default=1),  # jobs run at once (each a process)
    "timeout": JOB_TIMEOUT,  # a run longer than this is killed
    "retry": JOB_RETRY,  # an unacknowledged job (its worker died) is handed out again after this
    "max_attempts": JOB_MAX_ATTEMPTS,
    "orm": "default",  # the broker is a table of the app's database
    "recycle": 50,  # a worker process is replaced after this many jobs (memory a long run left behind)
    "save_limit": 250,  # successful task records kept (django_q's own table)
    "ack_failures": True,  # a failed job is not retried: reserve.jobs.execute records the failure itself
    "catch_up": False,  # a schedule missed while the worker was down runs once, not once per missed slot
    "poll": 1,  # seconds between looks at the queue table
    "sync": env.bool("JOB_SYNC", default=False),
}

# Content-Security-Policy (django-csp): only the app's own scripts, styles and images; no inline
# script or style anywhere (behaviour lives in static/js, looks in static/css). The public notice
# pages send a stricter policy of their own (publicity/views_public.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# HTTPS=true in production (served over TLS, usually behind a reverse proxy): redirect plain HTTP,
# secure cookies, HSTS. Off for a local run and for the tests, which speak plain HTTP.
HTTPS = env.bool("HTTPS", default=False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
# The three administrators (and any superuser) must use a second factor (reserve/otp.py): on by default
# wherever HTTPS is on (production); off for a local run, the demo and the tests unless set.
REQUIRE_OTP_FOR_ADMINS = env.bool("REQUIRE_OTP_FOR_ADMINS", default=HTTPS)
if env.bool("TRUSTED_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}
