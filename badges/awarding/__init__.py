"""Awarding and claiming: the writes (services) and reads (selectors) behind the staff's
award pages and the students' claim, catalogue and enrolment pages.

- ``awards``: direct awards, scheduled awards, withdrawal, reminders and expiry of offers;
- ``bulk``: CSV uploads — parse, map columns, preview per-row errors, process in batches;
- ``claims``: a recipient claims or declines an offer through its claim link;
- ``enrollments``: self-enrolment requests, approval (also many at once) and denial;
- ``revocations``: revoking issued badges (one or many) and telling recipients about expiry;
- ``rules``: who is the recipient, what they already hold, which prerequisites they miss;
- ``notifications``: the emails, written to an outbox in the transaction of the change and
  sent by Celery tasks after commit;
- ``selectors``: tenant-scoped querysets for staff and the student's own awards.

Signing stays in ``badges.issuing``: every badge is created with ``assertion_create``.
"""
