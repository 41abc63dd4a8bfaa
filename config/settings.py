"""Scellé settings: one module, driven by environment variables.

With nothing set, the application runs on embedded defaults (SQLite and a file-system Celery
broker under ``var/``) so that ``make run`` works on a fresh machine. A production site sets
``SCELLE_DEPLOYMENT=production``, ``SECRET_KEY``, ``DATABASE_URL`` and ``CELERY_BROKER_URL``.
"""

import ipaddress
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


VAR_DIR = Path(os.environ.get("SCELLE_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEPLOYMENT = os.environ.get("SCELLE_DEPLOYMENT", "local")
if DEPLOYMENT not in {"local", "production"}:
    raise ImproperlyConfigured("SCELLE_DEPLOYMENT must be 'local' or 'production'.")


def _secret(name: str, value: str, file_name: str) -> str:
    if value:
        return value
    if DEPLOYMENT == "production":
        raise ImproperlyConfigured(f"{name} must be set in production.")
    # A local installation keeps a generated key under var/ so that it survives a restart; the first
    # process to start writes it (exclusive creation: processes starting together agree on one).
    key_file = VAR_DIR / file_name
    try:
        with open(key_file, "x") as new_file:
            key_file.chmod(0o600)
            new_file.write(secrets.token_urlsafe(50))
    except FileExistsError:
        pass
    return key_file.read_text().strip()


SECRET_KEY = _secret("SECRET_KEY", os.environ.get("SECRET_KEY", ""), "secret_key")
# The audit chain's HMAC key (audit/chain.py): not in the database, so that whoever can rewrite the
# audit table cannot recompute a chain that verifies. Keep a copy off the machines (a safe): without
# it no one can verify the log, and a new key makes every older event read as edited.
AUDIT_CHAIN_KEY = _secret("AUDIT_CHAIN_KEY", os.environ.get("AUDIT_CHAIN_KEY", ""), "audit_chain_key")
if DEPLOYMENT == "production" and len(AUDIT_CHAIN_KEY) < 32:
    raise ImproperlyConfigured("AUDIT_CHAIN_KEY must be at least 32 characters long.")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "audit.admin_apps.AuditedAdminConfig",  # django.contrib.admin, audited (audit.admin_site)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "health_check",
    "django_prometheus",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "audit",
    "cases",
    "evidence",
    "hashing",
    "detectors",
    "texts",
    "chats",
    "reports",
    "demo",
    "api",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "accounts.middleware.SessionPolicyMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "accounts.middleware.NoStoreMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]
# Prometheus scrapes /metrics from these addresses only (nginx keeps it off the public side too).
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", "127.0.0.1,::1")

ROOT_URLCONF = "scelle.urls"
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
                "accounts.context_processors.roles",
            ],
            # Worker messages (codes) in the reader's language in every template: config.messages.
            "builtins": ["config.templatetags.messages"],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL names another (PostgreSQL through psycopg 3).
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'scelle.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the worker write at the same time: WAL and IMMEDIATE transactions
    # make SQLite wait for the lock instead of failing with "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests on SQLite use a file as `make run` does, not Django's shared in-memory database: that one
    # locks whole tables ("database table is locked", not waited for) when a worker thread writes.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
# The owner of the tables, for `migrate` only (audit/roles.py): the same database as DATABASE_URL,
# reached as the role that owns the tables (only its user, password, host and port are used).
# DATABASE_URL's role then owns nothing and may only read and append to the audit log, so that it
# cannot switch the log's triggers off. Empty: one role does everything (SQLite, development).
DATABASE_OWNER_URL = os.environ.get("DATABASE_OWNER_URL", "")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A cache shared by every web process (API throttling counts) when CACHE_URL names Redis;
# per-process memory otherwise (a single-host demo).
CACHE_URL = os.environ.get("CACHE_URL", "")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    if CACHE_URL.startswith(("redis://", "rediss://"))
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_URL_PATH = "/login/"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions: an idle timeout and an absolute lifetime (accounts.middleware), a new session id at
# login (Django), and a logout when the account is disabled or its roles change.
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_SECONDS", 10 * 3600)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
# Exports and list activations ask for the second factor again after this many seconds.
STEP_UP_SECONDS = env_int("STEP_UP_SECONDS", 300)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", DEPLOYMENT == "production")
SESSION_COOKIE_SAMESITE = "Strict"
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
if DEPLOYMENT == "production":
    # TLS ends at nginx, which sets X-Forwarded-Proto (deploy/).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

OTP_TOTP_ISSUER = "Scellé"
# WebAuthn security keys (accounts.security_keys): with this on, an admin's session counts as
# verified only when a security key verified it (a code alone leads to registering a key).
ADMIN_REQUIRE_WEBAUTHN = env_bool("ADMIN_REQUIRE_WEBAUTHN", False)
# The relying party id keys are bound to; empty: the host name of the request (a domain name,
# e.g. scelle.police.example, or localhost: browsers refuse an IP address).
WEBAUTHN_RP_ID = os.environ.get("WEBAUTHN_RP_ID", "")

# Content Security Policy: everything from this origin, no inline script, no plug-ins, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Client addresses behind proxies, and the login lockout (issue 18, item 2) -----------------------
# The proxies (addresses or CIDR networks, comma-separated) whose X-Forwarded-For is believed: nginx on
# the same host is 127.0.0.1 (deploy/scelle.env.example). Empty (the default): no header is read and
# the client is REMOTE_ADDR. config/proxies.client_address gives the one address every audit event,
# lockout and API throttle uses; it reads the header right to left and stops at the first untrusted hop.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as error:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an address or a network ({error}).") from None
AXES_CLIENT_IP_CALLABLE = "config.proxies.client_address"
# Lockout after repeated failures (django-axes), keyed on the pair (user name, client address): failures
# under other names never lock a user out, and a stranger's guesses at one user's password lock that
# user from the stranger's address only, so nobody can lock a colleague out from elsewhere (or everyone
# behind one NAT). The price: guesses spread over many addresses are limited per address only; the
# second factor (throttled by django-otp) still stands behind a guessed password. The answer is the
# same whether the user exists or not (unknown names are counted and locked alike).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# --- end of client addresses and lockout ----------------------------------------------------------------

# Languages: English, French and Dutch (Belgium).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("nl-be", _("Dutch (Belgium)"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Brussels")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True

# Evidence: uploads land in a content-addressed store and are never modified afterwards.
EVIDENCE_ROOT = Path(os.environ.get("EVIDENCE_ROOT", VAR_DIR / "evidence"))
HASHLIST_ROOT = Path(os.environ.get("HASHLIST_ROOT", VAR_DIR / "hashlists"))
# Files derived from evidence (thumbnails); never served directly, only through an authorised view.
DERIVED_ROOT = Path(os.environ.get("DERIVED_ROOT", VAR_DIR / "derived"))
# Where uploads and derived files are kept: `file` (EVIDENCE_ROOT and DERIVED_ROOT, a path every
# web and worker host mounts at the same place) or `s3` (an S3-compatible object store through
# django-storages: uploads under `evidence/`, derived files under `derived/` of one bucket).
# Seized media under EVIDENCE_SOURCES are read where they lie either way.
EVIDENCE_STORAGE = os.environ.get("EVIDENCE_STORAGE", "file")
if EVIDENCE_STORAGE not in {"file", "s3"}:
    raise ImproperlyConfigured("EVIDENCE_STORAGE must be 'file' or 's3'.")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if EVIDENCE_STORAGE == "s3":
    STORAGES["evidence_objects"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("AWS_STORAGE_BUCKET_NAME", "scelle"),
            # MinIO, Ceph RGW, Garage...: the store's URL; empty for AWS itself.
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "access_key": os.environ.get("AWS_ACCESS_KEY_ID", ""),
            "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY", ""),
            "verify": env_bool("AWS_S3_VERIFY", True),
            "addressing_style": os.environ.get("AWS_S3_ADDRESSING_STYLE", "path"),
            # Objects are private: never a public ACL, never a public URL (views serve them).
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
            # A worker reading a large object spools it to its temporary folder past this size.
            "max_memory_size": 64 << 20,
        },
    }
# Thumbnails are served by nginx after the view's check and audit record (X-Accel-Redirect), from
# an `internal` location that maps MEDIA_ACCEL_PREFIX to DERIVED_ROOT (deploy/nginx/scelle.conf).
# File storage only; with `s3` the view sends the bytes itself.
MEDIA_ACCEL_REDIRECT = env_bool("MEDIA_ACCEL_REDIRECT", False)
MEDIA_ACCEL_PREFIX = os.environ.get("MEDIA_ACCEL_PREFIX", "/protected/derived/")
# Reviewer welfare: thumbnails are shown greyscale and blurred with this radius until revealed.
THUMBNAIL_BLUR_RADIUS = float(os.environ.get("THUMBNAIL_BLUR_RADIUS", "8"))
# Near matches (Hamming distance, inclusive; hashing/near_matching.py::match_strength). Measured on 2,760
# altered copies of 46 photos and 1.4 M pairs of distinct hard images (2.15 M since pages and screens
# scanned or photographed were added; bench/near_corpus.py, bench/RESULTS.md): PDQ <= 31 of 256 (Meta's
# bound; a PDQ of quality below PDQ_MIN_QUALITY, a flat image, is not used) is the only rule with almost
# no false match (5, all screenshots of one form with other words); pHash alone, even within a few bits,
# matches distinct documents, screenshots and flat images (17,000 of the pairs at 10 bits), and so does
# every joint region past PDQ 31. So a near match is PDQ <= 31 (PHASH_MATCH_DISTANCE -1: pHash alone never
# makes one; NEAR_JOINT_DISTANCES (PDQ, pHash): both within, none by default), or a possible match whose
# images compare as the same picture (evidence/triage/verification.py).
PDQ_MATCH_DISTANCE = env_int("PDQ_MATCH_DISTANCE", 31)
PHASH_MATCH_DISTANCE = env_int("PHASH_MATCH_DISTANCE", -1)
PDQ_MIN_QUALITY = env_int("PDQ_MIN_QUALITY", 50)
NEAR_JOINT_DISTANCES = [int(value) for value in env_list("NEAR_JOINT_DISTANCES", "31,-1")]
# Calibrated with grouped cross-validation on that corpus (bench/near_calibration.py; held-out recall
# and false matches in bench/RESULTS.md), by how flat the query is (hashing.perceptual.flat_share: per
# mille of its thumbnail's 8x8 blocks that are flat): a photo-like one (at most NEAR_PHOTO_MAX_FLAT) is
# also near with PDQ and pHash both within NEAR_PHOTO_JOINT_DISTANCES (a crop or a tilt moves PDQ past
# 31, pHash stays close); a document, a screen or a drawing (more than NEAR_GRAPHIC_MIN_FLAT) only with
# PDQ <= NEAR_GRAPHIC_PDQ_DISTANCE, since distinct screens of one form are within PDQ 24-45 and pHash
# 0-10; one in between as before. The joint pHash bound is at most the search radius
# (POSSIBLE_PHASH_DISTANCE): a candidate is found by one hash first.
NEAR_PHOTO_MAX_FLAT = env_int("NEAR_PHOTO_MAX_FLAT", 20)
NEAR_PHOTO_JOINT_DISTANCES = [int(value) for value in env_list("NEAR_PHOTO_JOINT_DISTANCES", "51,12")]
NEAR_GRAPHIC_MIN_FLAT = env_int("NEAR_GRAPHIC_MIN_FLAT", 100)
NEAR_GRAPHIC_PDQ_DISTANCE = env_int("NEAR_GRAPHIC_PDQ_DISTANCE", 17)
# "Possible match", a weaker tier shown after the near matches and never known material until a
# reviewer confirms it: PDQ within POSSIBLE_PDQ_DISTANCE or pHash within POSSIBLE_PHASH_DISTANCE, or
# both within POSSIBLE_JOINT_DISTANCES. On the corpus above: recall 0.91 (near: 0.57), with ~2 % of the
# hard pairs proposed. The list indexes are searched at the largest single distance of each hash
# (hashing/indexes.py::search_radius): a joint rule decides only among what that search finds. PDQ
# within 40 rather than 31 found 0.4 % more copies for a search 8 times slower at 10 million entries
# (2.7 ms a query): not worth it. pHash within 12 rather than 10 finds 5 % more, for a search 3.3 times
# slower at 10 million entries (1.85 ms a query against 0.56): a unit matching lists of millions may
# set POSSIBLE_PHASH_DISTANCE=10 (recall 0.84).
POSSIBLE_PDQ_DISTANCE = env_int("POSSIBLE_PDQ_DISTANCE", 31)
POSSIBLE_PHASH_DISTANCE = env_int("POSSIBLE_PHASH_DISTANCE", 12)
POSSIBLE_JOINT_DISTANCES = [int(value) for value in env_list("POSSIBLE_JOINT_DISTANCES", "31,12")]
# A video against a known video of this installation (one with keyframes) matches as a whole, as
# vPDQ does (hashing/near_matching.py::video_strength): each pair of keyframes matches when the rule
# above says near or possible for its two distances, and the longest chain of matching pairs in the
# order of both videos, over the video's sampled keyframes, is its share. Near from VIDEO_NEAR_SHARE,
# possible from VIDEO_POSSIBLE_SHARE, and never on fewer than VIDEO_MIN_FRAMES keyframes in order (one
# shared title card or logo is not a match). A trimmed copy matches all its keyframes: share 1. A video
# against a list entry or a categorised image still matches by its closest keyframe.
VIDEO_NEAR_SHARE = float(os.environ.get("VIDEO_NEAR_SHARE", "0.5"))
VIDEO_POSSIBLE_SHARE = float(os.environ.get("VIDEO_POSSIBLE_SHARE", "0.25"))
VIDEO_MIN_FRAMES = env_int("VIDEO_MIN_FRAMES", 2)
# Detectors run on every image's decode on the workers (detectors/): "nudenet" (NudeNet 3.4's 320n model,
# shipped in its package: sexual content and faces), "faces" (dlib's face description model, shipped in
# face_recognition_models: faces grouped in a dossier and searched across the user's dossiers). Empty turns
# them off. The review sorts and filters by their score; from DETECTOR_LIKELY_SCORE (0 to 1) an image is
# shown as likely sexual content.
DETECTORS = env_list("DETECTORS", "nudenet,faces")
if unknown := set(DETECTORS) - {"nudenet", "faces"}:
    raise ImproperlyConfigured(f"DETECTORS: unknown detector(s) {', '.join(sorted(unknown))}; known: nudenet, faces.")
# A face is described (about 75 ms on one core) only from FACES_MIN_SIDE pixels on its shorter side in the
# decode looked at (a 12 MP JPEG is decoded at about 500 x 375), and at most FACES_MAX_PER_IMAGE an image
# (the largest). A dossier's Faces tab groups at most FACES_GROUP_MAX faces (the largest) in the request.
FACES_MIN_SIDE = env_int("FACES_MIN_SIDE", 40)
FACES_MAX_PER_IMAGE = env_int("FACES_MAX_PER_IMAGE", 10)
FACES_GROUP_MAX = env_int("FACES_GROUP_MAX", 5000)
# A face searched across dossiers is compared with every face of them, held in memory by each web
# process per dossier (512 bytes a face) and refreshed when faces are added or removed: at most
# FACES_SEARCH_CACHE_MB in all, the dossiers searched least recently dropped first.
FACES_SEARCH_CACHE_MB = env_int("FACES_SEARCH_CACHE_MB", 512)
DETECTOR_LIKELY_SCORE = float(os.environ.get("DETECTOR_LIKELY_SCORE", "0.5"))
# A classifier an administrator registers (detectors/: an ONNX model) is kept in the database; at most this big.
CLASSIFIER_MAX_BYTES = env_int("CLASSIFIER_MAX_BYTES", 256 * 1024 * 1024)
# Perceptual search is always exact (hashing/nearest.py). The installation's own files are searched in
# an index rebuilt once this many files have had hashes written since the last build (evidence/triage/file_index.py).
FILE_INDEX_DELTA_MAX = env_int("FILE_INDEX_DELTA_MAX", 20000)
# Folders on the server that investigators may ingest from (read where they lie, never copied).
EVIDENCE_SOURCES = [Path(p) for p in env_list("EVIDENCE_SOURCES", str(VAR_DIR / "demo"))]
# Archives found in evidence are walked in memory, never extracted to disk, within these limits.
ARCHIVE_MAX_DEPTH = env_int("ARCHIVE_MAX_DEPTH", 3)
ARCHIVE_MAX_MEMBERS = env_int("ARCHIVE_MAX_MEMBERS", 100_000)
ARCHIVE_MAX_MEMBER_BYTES = env_int("ARCHIVE_MAX_MEMBER_BYTES", 8 << 30)
ARCHIVE_MAX_TOTAL_BYTES = env_int("ARCHIVE_MAX_TOTAL_BYTES", 64 << 30)
ARCHIVE_MAX_RATIO = env_int("ARCHIVE_MAX_RATIO", 200)
ARCHIVE_MAX_BUFFER_BYTES = env_int("ARCHIVE_MAX_BUFFER_BYTES", 256 << 20)
# Content search (issue 23): the text of documents read by the workers as they hash them (texts/,
# evidence/search/). A file's text is kept up to TEXT_MAX_CHARS characters, in parts of
# TEXT_PART_CHARS (a PostgreSQL tsvector holds 1 MiB at most); documents over TEXT_MAX_FILE_BYTES are
# hashed but their text is not read; one document's extraction stops after TEXT_MAX_SECONDS (checked
# between pages and parts) and refuses a zip part inflating past TEXT_MAX_MEMBER_BYTES (a bomb).
# TEXT_LANGUAGE: the search language of the texts of an exhibit that chose none: auto (each text part
# in the language detected in it: french, dutch or english, else simple), or simple, english, french
# or dutch for all (stems and stop words; accents are ignored in all).
TEXT_MAX_CHARS = env_int("TEXT_MAX_CHARS", 1_000_000)
TEXT_PART_CHARS = env_int("TEXT_PART_CHARS", 100_000)
TEXT_MAX_FILE_BYTES = env_int("TEXT_MAX_FILE_BYTES", 64 << 20)
TEXT_MAX_MEMBER_BYTES = env_int("TEXT_MAX_MEMBER_BYTES", 64 << 20)
TEXT_MAX_SECONDS = env_int("TEXT_MAX_SECONDS", 30)
TEXT_LANGUAGE = os.environ.get("TEXT_LANGUAGE", "auto")
# OCR (texts/ocr.py, evidence/search/ocr.py): text read by Tesseract from pictures and from the pages
# of PDFs that have no text layer, on the `media` queue after the batch that hashed them. OCR_ENABLED
# turns it off everywhere; each exhibit says auto/on/off, and "auto" reads pictures only while the
# exhibit holds at most OCR_AUTO_MAX_FILES pictures and videos. One picture: at most OCR_MAX_SECONDS
# of Tesseract (then killed) and OCR_MAX_PIXELS pixels; a scanned PDF: its first OCR_MAX_PAGES
# scanned pages, within OCR_MAX_FILE_SECONDS in all. OCR_LANGUAGES: Tesseract's languages for an
# exhibit of no chosen language.
OCR_ENABLED = env_bool("OCR_ENABLED", True)
OCR_AUTO_MAX_FILES = env_int("OCR_AUTO_MAX_FILES", 10_000)
OCR_MAX_SECONDS = env_int("OCR_MAX_SECONDS", 30)
OCR_MAX_PIXELS = env_int("OCR_MAX_PIXELS", 40_000_000)
OCR_MAX_PAGES = env_int("OCR_MAX_PAGES", 50)
OCR_MAX_FILE_SECONDS = env_int("OCR_MAX_FILE_SECONDS", 300)
OCR_LANGUAGES = os.environ.get("OCR_LANGUAGES", "eng+fra+nld")
# Keyword lists (evidence/search/keywords.py): one term a line, imported from a file of at most
# KEYWORD_LIST_MAX_BYTES or typed in the page; a list of more than KEYWORD_LIST_MAX_TERMS terms is
# refused whole, a line over KEYWORD_LINE_MAX_CHARS characters is refused with its line number.
KEYWORD_LIST_MAX_TERMS = env_int("KEYWORD_LIST_MAX_TERMS", 5_000)
KEYWORD_LINE_MAX_CHARS = env_int("KEYWORD_LINE_MAX_CHARS", 500)
KEYWORD_LIST_MAX_BYTES = env_int("KEYWORD_LIST_MAX_BYTES", 1 << 20)
# The country whose numbering plan reads a phone number written without its country code (ISO 3166
# code, as the phonenumbers library takes it): identifiers found in the texts are kept in E.164.
PHONE_REGION = os.environ.get("PHONE_REGION", "BE").upper()
# Find in files ranks what it finds (best first) while at most TEXT_RANK_MAX parts match: ranking reads
# every matching part's words. Past it, results come in file order and the user is asked to add words.
TEXT_RANK_MAX = env_int("TEXT_RANK_MAX", 10_000)
# The largest browser upload in one request; bigger evidence goes through EVIDENCE_SOURCES.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 2 << 30)
# A printed report's copy checked against the audit log: reports are a few MB; anything larger is refused.
REPORT_VERIFY_MAX_BYTES = env_int("REPORT_VERIFY_MAX_BYTES", 64 << 20)
# Large files go up in chunks (resumable after a dropped connection), appended under UPLOAD_TEMP_ROOT,
# then hashed and moved into EVIDENCE_ROOT. Limits: one file, and all of one user's unfinished uploads.
UPLOAD_CHUNK_BYTES = env_int("UPLOAD_CHUNK_BYTES", 8 << 20)
UPLOAD_FILE_MAX_BYTES = env_int("UPLOAD_FILE_MAX_BYTES", 256 << 30)
UPLOAD_TOTAL_MAX_BYTES = env_int("UPLOAD_TOTAL_MAX_BYTES", 1 << 40)
UPLOAD_TEMP_ROOT = Path(os.environ.get("UPLOAD_TEMP_ROOT", VAR_DIR / "uploads"))
# An ingest batch that finds the derived store full waits for space: tried again every
# STORE_FULL_RETRY_SECONDS, up to STORE_FULL_RETRIES times (an hour by default), then its files are
# recorded as not processed, "evidence store full".
STORE_FULL_RETRY_SECONDS = env_int("STORE_FULL_RETRY_SECONDS", 60)
STORE_FULL_RETRIES = env_int("STORE_FULL_RETRIES", 60)
# Small files cost per batch (queries, a task) more than hashing them: batches are cut by count and bytes.
INGEST_BATCH_FILES = env_int("INGEST_BATCH_FILES", 2000)
INGEST_BATCH_BYTES = env_int("INGEST_BATCH_BYTES", 256 * 1024 * 1024)
HASHLIST_IMPORT_CHUNK = env_int("HASHLIST_IMPORT_CHUNK", 50_000)
# Validated format of the prosecutor's notice number; the Brussels style by default.
DOSSIER_NOTICE_PATTERN = os.environ.get("DOSSIER_NOTICE_PATTERN", r"^[A-Z]{2}\.\d{2}\.[A-Z0-9]{2}\.\d{6}/\d{2}$")
DOSSIER_NOTICE_EXAMPLE = os.environ.get("DOSSIER_NOTICE_EXAMPLE", "BR.52.L1.012345/25")
PAGE_SIZE = env_int("PAGE_SIZE", 50)

# REST API (/api/v1/): personal tokens only (never the session cookie), JSON only, throttled per user.
API_THROTTLE_USER = os.environ.get("API_THROTTLE_USER", "1000/minute")
API_THROTTLE_ANON = os.environ.get("API_THROTTLE_ANON", "60/minute")
API_MAX_HASHES = env_int("API_MAX_HASHES", 10_000)  # hashes per lookup request
API_MAX_SUBMITTED_FILES = env_int("API_MAX_SUBMITTED_FILES", 5_000)  # files per hash submission
# A token lives this many days at most (the creation form may choose fewer), then is refused.
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 90)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [
        "api.throttling.UserRateThrottle",  # keyed on config.proxies.client_address, not REMOTE_ADDR
        "api.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"user": API_THROTTLE_USER, "anon": API_THROTTLE_ANON},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Scellé API",
    "DESCRIPTION": "Dossiers, exhibits, suspects, files and their triage; hash submission and lookup. "
    "Authenticate with a personal token from the 'API tokens' page: `Authorization: Token <key>`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "DossierStatusEnum": "cases.models.Dossier.Status",
        "SuspectStatusEnum": "cases.models.DossierSuspect.Status",
        "IngestJobStatusEnum": "evidence.models.IngestJob.Status",
    },
}

# After a lost database connection (PostgreSQL restarted), a task waits up to this many seconds for
# the database to answer again so as to record the interruption and its reason, then is retried.
DATABASE_RECONNECT_SECONDS = env_int("DATABASE_RECONNECT_SECONDS", 60)

# Celery: a file-system broker under var/ unless CELERY_BROKER_URL names Redis.
# kombu's file-system transport ignores the host; naming one keeps it from warning.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://localhost//")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    for sub in ("queue", "processed", "control"):
        (_broker_dir / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        # The exchanges' bindings (broadcasts to the workers: the health check's ping). kombu's
        # default is "control" in the current directory: a web server and a worker started from
        # different folders did not see each other, and it wrote into the source tree.
        "control_folder": str(_broker_dir / "control"),
        # kombu reads the folders once a second by default: a ping and its reply took up to two
        # seconds each way, and the health check (two seconds) reported live workers as missing.
        "polling_interval": 0.1,
        "store_processed": False,
    }
# Job state lives in the database, never in a result backend.
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
# A batch is acknowledged only when done, so a killed worker's batch goes to another worker.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Queues by kind of work, so a site can give each its own hosts (deploy/README.md, "Queues"):
# `ingest` (listing and hashing evidence, walking archives and disk images), `media` (batches of
# images and videos: hashing them too, as the picture is decoded from the bytes just hashed, then
# perceptual hashes, thumbnails, video keyframes), `lists` (hash-list imports and re-matching, keyword list runs),
# `default` (the rest: periodic checks). An exact task name wins over a pattern.
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "evidence.tasks.ingest_media_batch": {"queue": "media"},
    "evidence.tasks.redetect_dossier": {"queue": "media"},
    "evidence.tasks.resume_lost_work": {"queue": "default"},
    # A keyword list run reads the database only, like a hash list's re-matching: not behind ingestion.
    "evidence.tasks.keyword_list_run": {"queue": "lists"},
    "evidence.tasks.*": {"queue": "ingest"},
    "evidence.list_tasks.*": {"queue": "lists"},
}
CELERY_QUEUES_ALL = "default,ingest,media,lists"
# Declared, so that a worker started without -Q (as Celery's documentation starts it) takes every
# queue; without this it would take `default` alone and every ingestion would wait for ever.
CELERY_TASK_QUEUES = [Queue(name, routing_key=name) for name in CELERY_QUEUES_ALL.split(",")]
# Periodic work, sent by the one `celery beat` of the site (deploy/systemd/scelle-beat.service):
# the audit chain is recomputed every AUDIT_VERIFY_SECONDS; the result is an `audit.verify` event
# and the `scelle_audit_chain_verified` metric. Every RESUME_LOST_WORK_SECONDS, the work a broker
# restart lost (Redis without persistence) is queued again (evidence/ingest/resume.py); the same as
# `manage.py resume_work`. Expired messages are dropped, not piled up.
AUDIT_VERIFY_SECONDS = env_int("AUDIT_VERIFY_SECONDS", 3600)
RESUME_LOST_WORK_SECONDS = env_int("RESUME_LOST_WORK_SECONDS", 300)
CELERY_BEAT_SCHEDULE = {
    "audit-chain-verify": {
        "task": "audit.tasks.audit_chain_verify",
        "schedule": AUDIT_VERIFY_SECONDS,
        "options": {"queue": "default", "expires": AUDIT_VERIFY_SECONDS},
    },
    "resume-lost-work": {
        "task": "evidence.tasks.resume_lost_work",
        "schedule": RESUME_LOST_WORK_SECONDS,
        "options": {"queue": "default", "expires": RESUME_LOST_WORK_SECONDS},
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # django-axes reports every attempt at INFO; the audit log already has them. faiss's loader reports
    # at INFO each CPU variant it tries and does not find, in every process that imports it.
    # scelle.audit: the audit chain's head after each periodic check (audit/checks.py), at INFO whatever
    # LOG_LEVEL says: the copy outside the database that `audit_verify --heads-from` reads back.
    "loggers": {
        "axes": {"level": "WARNING"},
        "faiss.loader": {"level": "WARNING"},
        "scelle.audit": {"level": "INFO"},
    },
}
