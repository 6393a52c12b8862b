"""Writes to a person's account."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

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
