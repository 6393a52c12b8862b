"""Settings for the test suite: the same settings, with test-only secrets.

Tasks run inline by default so that most tests are deterministic; the tests marked
``worker`` switch to the real broker and a real Celery worker process.
"""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-secret-key-that-is-long-enough-for-the-check")
if "SIGNING_KEY_ENCRYPTION_KEY" not in os.environ:
    os.environ.setdefault(
        "SIGNING_KEY_ENCRYPTION_KEYS", "dGVzdC1rZXktZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM="
    )
os.environ.setdefault("SITE_URL", "http://testserver")
# Shared with worker processes started by the tests, which read the same files.
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="edubadges-test-media-"))

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
# WhiteNoise serves what collectstatic put here; the tests need no collected files.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
