"""Settings for a developer machine and ``make demo``: debug, console email, embedded database."""

import os
import warnings

os.environ.setdefault("SECRET_KEY", "local-development-only-not-secret-but-long-enough")

from .base import *
from .base import database_settings, env

DEBUG = env.bool("DEBUG", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
ALERT_EMAIL_RECIPIENTS = env.list("ALERT_EMAIL_RECIPIENTS", default=["alerts@agency.example"])
DATABASES = database_settings(allow_embedded=True)

# Before `collectstatic` has run (bench, first start) whitenoise warns once per process.
warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")
