"""Account erasure (GDPR art. 17), at once and in one transaction.

Every registered app erases or anonymises its data (badges keep their badge class and the
salted identity hash, so the institution's counts and the credentials' verification
survive, but no link to the person). Then privacy anonymises the account itself: a
unique, meaningless email address, no names or eppn, no usable password, inactive.
Records of consent stay as proof, pointing at the anonymous account.
"""

from __future__ import annotations

import re
import uuid

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from issuers.audit import audit_log, audit_redact
from issuers.models import AuditEntry, Invitation, Membership
from notifications.services import notifications_about

from .. import registry
from ..models import DataExport, Objection, PrivacyAction

ERASED_EMAIL_DOMAIN = "erased.invalid"
ERASED = "[erased]"


def _identifiers(user) -> list[str]:
    """The strings that identify ``user`` in free text written by others (a staff audit
    summary names the address a role was granted to). First or last names alone are too
    common to replace everywhere; the records that hold them are erased field by field."""
    full_name = " ".join(
        part for part in (getattr(user, "first_name", ""), getattr(user, "last_name", "")) if part
    )
    values = {user.email, getattr(user, "eppn", ""), full_name if " " in full_name else ""}
    # Longest first, so that a longer identifier is replaced before one it contains.
    return sorted((value for value in values if len(value) >= 3), key=len, reverse=True)


def _scrub(text: str, identifiers: list[str]) -> str:
    for identifier in identifiers:
        text = re.sub(re.escape(identifier), ERASED, text, flags=re.IGNORECASE)
    return text


def _mentions(identifiers: list[str], *fields: str) -> models.Q:
    query = models.Q()
    for identifier in identifiers:
        for field in fields:
            query |= models.Q(**{f"{field}__icontains": identifier})
    return query


def _scrub_staff_audit_log(identifiers: list[str]) -> None:
    """Staff actions on this person (a role granted to their address) name them in the
    summary; keep the action, drop the name. The trail stays verifiable (``audit_redact``)."""
    entries = AuditEntry.objects.annotate(data_text=Cast("data", models.TextField())).filter(
        _mentions(identifiers, "summary", "object_id", "data_text")
    )
    audit_redact(entries=entries, replace=lambda text: _scrub(text, identifiers))


def _scrub_admin_log(identifiers: list[str]) -> None:
    if not apps.is_installed("django.contrib.admin"):
        return
    from django.contrib.admin.models import LogEntry

    for entry in LogEntry.objects.filter(_mentions(identifiers, "object_repr", "change_message")):
        entry.object_repr = _scrub(entry.object_repr, identifiers)[:200]
        entry.change_message = _scrub(entry.change_message, identifiers)
        entry.save(update_fields=["object_repr", "change_message"])


def _erase_email_addresses(user, email: str) -> None:
    if not apps.is_installed("allauth.account"):
        return
    from allauth.account.models import EmailAddress

    EmailAddress.objects.filter(models.Q(user=user) | models.Q(email__iexact=email)).delete()


def _anonymise_account(user) -> None:
    user.email = f"erased-{uuid.uuid4().hex}@{ERASED_EMAIL_DOMAIN}"
    for name in ("first_name", "last_name", "eppn"):
        if hasattr(user, name):
            setattr(user, name, "")
    user.set_unusable_password()
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.last_login = None
    user.save()
    user.groups.clear()
    user.user_permissions.clear()


@transaction.atomic
def account_erase(*, actor, user) -> None:
    """Erase ``user``'s personal data and anonymise the account. Only the student may
    erase their own account (platform admins may too, for a request made by other means);
    institution staff never can."""
    if not actor.is_authenticated or (actor.pk != user.pk and not actor.is_superuser):
        raise PermissionDenied(_("You may not erase this account."))
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    if not user.is_active and user.email.endswith(f"@{ERASED_EMAIL_DOMAIN}"):
        return
    identifiers = _identifiers(user)
    email = user.email

    for handler in registry.handlers():
        handler.erase(user)

    DataExport.objects.filter(user=user).delete()
    for objection in Objection.objects.filter(user=user).exclude(reason=""):
        objection.reason = ""
        objection.save(update_fields=["reason"])
    Membership.objects.filter(user=user).delete()
    Invitation.objects.filter(email__iexact=email).delete()
    _scrub_staff_audit_log(identifiers)
    _scrub_admin_log(identifiers)
    _erase_email_addresses(user, email)
    notifications_about(user).delete()  # sign-in emails not sent yet hold the address
    _anonymise_account(user)

    audit_log(
        action=PrivacyAction.ACCOUNT_ERASED,
        actor=None if actor.pk == user.pk else actor,
        subject=user,
        obj=user,
        summary="",
        data={"by": "self" if actor.pk == user.pk else "platform_admin"},
    )
