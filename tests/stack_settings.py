"""Settings of the processes the fault tests start (``tests.stack``): the test settings, with
tasks going to the broker and the sweeps running every second."""

from edubadges.test_settings import *  # noqa: F403
from edubadges.test_settings import CELERY_BEAT_SCHEDULE

CELERY_TASK_ALWAYS_EAGER = False
CELERY_BEAT_SCHEDULE = {
    name: {**entry, "schedule": 1.0}
    for name, entry in CELERY_BEAT_SCHEDULE.items()
    if name in {"sweep-assertions", "notifications-sweep"}
}
