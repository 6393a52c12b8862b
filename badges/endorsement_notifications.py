"""Emails about endorsements, through the outbox (``notifications``).

An offered endorsement is told to the admins of what it endorses (those who accept or
decline it); the decision is told to the staff member of the endorser who offered it. One
notification per person, recorded in the transaction of the change and sent after commit;
each email is built when it is sent, in the recipient's language (Dutch and English when
they chose none), and only while the recipient may still act on it or see it.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from issuers.permissions import Action, has_perm
from issuers.roles import Role
from notifications import registry
from notifications.models import Notification
from notifications.services import notification_queue

from . import links
from .models import Endorsement

OFFERED = "endorsement_offered"
ACCEPTED = "endorsement_accepted"
DECLINED = "endorsement_declined"
KINDS = {
    OFFERED: _("Endorsement offered"),
    ACCEPTED: _("Endorsement accepted"),
    DECLINED: _("Endorsement declined"),
}
LANGUAGES = ("nl", "en")


def _admins_of(issuer) -> QuerySet:
    """Active admins of ``issuer``, its faculty or its institution."""
    return (
        get_user_model()
        .objects.filter(
            Q(memberships__issuer=issuer)
            | Q(memberships__faculty=issuer.faculty_id)
            | Q(memberships__institution=issuer.faculty.institution_id),
            memberships__role=Role.ADMIN,
            is_active=True,
        )
        .distinct()
        .order_by("pk")
    )


def deciders(endorsement: Endorsement) -> QuerySet:
    """The admins of the endorsed issuer (or the badge class's issuer), its faculty and its
    institution: those who accept or decline."""
    return _admins_of(endorsement.target_issuer)


def offerers(endorsement: Endorsement) -> list:
    """Who offered it; when that account is gone, the endorser's admins."""
    creator = endorsement.created_by
    if creator is not None and creator.is_active:
        return [creator]
    return list(_admins_of(endorsement.endorser))


def _queue(kind: str, endorsement: Endorsement, recipients) -> None:
    for user in recipients:
        notification_queue(
            kind, target=endorsement, recipient=user, key=f"{kind}:{endorsement.pk}:{user.pk}"
        )


def queue_offered(endorsement: Endorsement) -> None:
    _queue(OFFERED, endorsement, deciders(endorsement))


def queue_decided(endorsement: Endorsement) -> None:
    kind = DECLINED if endorsement.status == Endorsement.Status.DECLINED else ACCEPTED
    _queue(kind, endorsement, offerers(endorsement))


def _still_for(user, kind: str, endorsement: Endorsement) -> bool:
    """An offer is told while the recipient can still decide on it; a decision while the
    recipient still sees the endorsement."""
    if kind == OFFERED:
        return endorsement.status == Endorsement.Status.REQUESTED and has_perm(
            user, Action.CHANGE, endorsement.target
        )
    return Endorsement.objects.for_user(user).filter(pk=endorsement.pk).exists()


def build_message(notification: Notification) -> EmailMultiAlternatives | None:
    from .awarding.notifications import render_email

    user = notification.recipient
    endorsement = (
        Endorsement.objects.select_related(
            "endorser__faculty__institution",
            "badge_class__issuer__faculty__institution",
            "issuer__faculty__institution",
        )
        .filter(pk=notification.target_id)
        .first()
    )
    if endorsement is None or user is None or not user.is_active or not user.email:
        return None
    if not _still_for(user, notification.kind, endorsement):
        return None
    language = getattr(user, "preferred_language", "")
    languages = (language,) if language in LANGUAGES else LANGUAGES
    context = {
        "endorsement": endorsement,
        "recipient_name": user.get_full_name(),
        "staff_url": links.absolute(reverse("staff:endorsement", args=[endorsement.pk])),
    }
    subject, text, html = render_email(notification.kind, languages, context)
    message = EmailMultiAlternatives(subject, text, None, [user.email])
    message.attach_alternative(html, "text/html")
    notification.language = "+".join(languages)
    return message


def register() -> None:
    """Tell the outbox how endorsement emails are built (``AppConfig.ready``)."""
    for kind, label in KINDS.items():
        registry.register(kind, label=label, build=build_message)
