import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edubadges.settings")
application = get_wsgi_application()

# Refuse to start, with a clear message, rather than fail every signing later.
from issuers.signing import ensure_key_encryption_keys_open  # noqa: E402

ensure_key_encryption_keys_open()
