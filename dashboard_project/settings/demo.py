"""Settings for ``make demo``: the local ones with DEBUG off, so the demo shows the product's own
404 and 500 pages, as production does. ``scripts/demo.sh`` sets ``SITE_URL`` to the address it
serves on, so printed and emailed links point there."""

import warnings

from .local import *
from .local import STORAGES

DEBUG = False
# Without DEBUG, runserver serves no static files: whitenoise serves them straight from the apps'
# and the project's static folders, so the demo needs no collectstatic and no manifest.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# Nothing is collected into STATIC_ROOT for the demo; whitenoise need not say so on every start.
warnings.filterwarnings("ignore", message="No directory at")
