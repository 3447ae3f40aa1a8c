"""WSGI entry point: ``gunicorn dashboard_project.wsgi`` (settings from DJANGO_SETTINGS_MODULE)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard_project.settings.production")

application = get_wsgi_application()
