"""Writes to a person's account."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from issuers.audit import audit_log

NAME_MAX_LENGTH = 150


@transaction.atomic
def user_name_update(*, actor, user, first_name: str, last_name: str):
    """A person changes their own name (directly, or through an app they authorised)."""
    if actor.pk != user.pk:
        raise PermissionDenied(_("Only you can change your name."))
    first_name, last_name = first_name.strip(), last_name.strip()
    for value in (first_name, last_name):
        if len(value) > NAME_MAX_LENGTH:
            raise ValidationError(
                _("A name can be at most %(count)d characters long.") % {"count": NAME_MAX_LENGTH}
            )
        if any(ord(character) < 32 for character in value):
            raise ValidationError(_("A name cannot contain control characters."))
    user.first_name, user.last_name = first_name, last_name
    user.save(update_fields=["first_name", "last_name"])
    return user


@transaction.atomic
def user_password_set(*, actor, user, password: str | None):
    """A platform admin sets a person's password, or switches password sign-in off for them
    (``password=None``). Audited without the password; the person's other sessions end, since
    they hold the old password's hash."""
    if not actor.has_perm("accounts.change_user"):
        raise PermissionDenied(_("Only platform admins can set someone else's password."))
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save(update_fields=["password"])
    audit_log(
        actor=actor,
        action="account_password_set" if password is not None else "account_password_unset",
        obj=user,
        summary="",
    )
    return user
