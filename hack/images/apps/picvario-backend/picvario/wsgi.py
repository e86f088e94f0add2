"""`gunicorn picvario.wsgi:application` (the backend)."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "picvario.settings.kubernetes")
application = get_wsgi_application()
