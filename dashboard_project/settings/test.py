"""Settings for the test suite: real PostgreSQL, fast hashing, in-memory email, sync tasks."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-not-secret-but-long-enough-for-hs256")

from .base import *
from .base import BASE_DIR, Q_CLUSTER, STORAGES, database_settings, env

DEBUG = False
DATABASES = database_settings(allow_embedded=True)
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALERT_EMAIL_RECIPIENTS = ["alerts@agency.example"]
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
STORAGES = {
    **STORAGES,
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT)},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
Q_CLUSTER = {**Q_CLUSTER, "sync": True}
# No heartbeat thread in the test process (its session would outlive the test database); the
# lease tests run the real thread in the subprocesses they kill.
LEASE_HEARTBEAT_THREAD = env.bool("LEASE_HEARTBEAT_THREAD", default=False)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"handlers": [], "level": "WARNING"},
}
