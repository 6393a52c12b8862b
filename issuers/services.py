"""Writes on institutions, faculties, issuers, roles and invitations."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import identities, policies
from notifications.services import notification_queue

from .audit import audit_log
from .models import Faculty, Institution, Invitation, Issuer, Membership
from .permissions import Action, has_perm, institution_of
from .roles import Role

INVITATION_VALIDITY = timedelta(days=14)
INVITATION_NOTIFICATION = "invitation"


def _require(user, action: Action, obj) -> None:
    if not has_perm(user, action, obj):
        raise PermissionDenied(_("You may not do this."))


def _save(instance, *, exclude: list[str] | None = None) -> None:
    instance.full_clean(exclude=exclude)
    instance.save()


@transaction.atomic
def institution_create(*, actor, **fields) -> Institution:
    """Onboard an institution (platform admins only)."""
    if not getattr(actor, "is_superuser", False):
        raise PermissionDenied(_("Only a platform admin may add an institution."))
    institution = Institution(**fields)
    _save(institution)
    audit_log(
        actor=actor, action="institution_create", obj=institution, data={"fields": sorted(fields)}
    )
    return institution


@transaction.atomic
def institution_update(*, actor, institution: Institution, **fields) -> Institution:
    _require(actor, Action.CHANGE, institution)
    if fields.get("staff_password_login") is False and not policies.sso_configured("surfconext"):
        # Staff would have no way left to sign in.
        raise ValidationError(
            {
                "staff_password_login": [
                    _(
                        "Sign-in through SURFconext is not set up on this platform: staff "
                        "need their password to sign in."
                    )
                ]
            }
        )
    for name, value in fields.items():
        setattr(institution, name, value)
    _save(institution)
    audit_log(
        actor=actor, action="institution_update", obj=institution, data={"fields": sorted(fields)}
    )
    return institution


# The fields of an endorsing body that its issuer profile (the name it signs in) repeats.
BODY_PROFILE_FIELDS = {
    "name_nl": "name_nl",
    "name_en": "name_en",
    "description_nl": "description_nl",
    "description_en": "description_en",
    "website": "url",
    "logo": "image",
}


def endorsing_body_profile(body: Institution) -> Issuer:
    """The issuer profile an endorsing body endorses in (made when it was registered)."""
    return Issuer.objects.select_related("faculty__institution").get(faculty__institution=body)


@transaction.atomic
def endorsing_body_register(*, actor, email: str, **fields) -> Institution:
    """Register an endorsing body (platform admins only), with the issuer profile and signing
    keys its endorsements are signed with: a professional association, an employer
    federation, a ministry. Its staff are invited as for an institution."""
    from .signing import signing_keys_ensure

    if not getattr(actor, "is_superuser", False):
        raise PermissionDenied(_("Only a platform admin may register an endorsing body."))
    body = Institution(kind=Institution.Kind.ENDORSING_BODY, **fields)
    _save(body)
    # The body's one issuer profile sits in a faculty of its own, as every issuer does; the
    # staff pages never offer to add another (``permissions.NOT_FOR_ENDORSING_BODIES``).
    faculty = Faculty(institution=body, name_nl=body.name_nl, name_en=body.name_en)
    _save(faculty)
    profile = Issuer(
        faculty=faculty,
        email=email,
        **{
            issuer_field: getattr(body, field)
            for field, issuer_field in BODY_PROFILE_FIELDS.items()
        },
    )
    _save(profile)
    signing_keys_ensure(issuer=profile)
    audit_log(
        actor=actor,
        action="endorsing_body_register",
        obj=body,
        data={"fields": sorted([*fields, "email"])},
    )
    return body


@transaction.atomic
def endorsing_body_update(*, actor, body: Institution, email: str = "", **fields) -> Institution:
    """Change an endorsing body; its issuer profile says the same."""
    _require(actor, Action.CHANGE, body)
    if not body.is_endorsing_body:
        raise ValidationError(_("This is an education institution, not an endorsing body."))
    for name, value in fields.items():
        setattr(body, name, value)
    _save(body)
    profile = endorsing_body_profile(body)
    for field, issuer_field in BODY_PROFILE_FIELDS.items():
        setattr(profile, issuer_field, getattr(body, field))
    if email:
        profile.email = email
    _save(profile)
    Faculty.objects.filter(institution=body).update(name_nl=body.name_nl, name_en=body.name_en)
    changed = sorted([*fields, *(["email"] if email else [])])
    audit_log(actor=actor, action="endorsing_body_update", obj=body, data={"fields": changed})
    return body


@transaction.atomic
def faculty_create(*, actor, institution: Institution, **fields) -> Faculty:
    _require(actor, Action.ADD_FACULTY, institution)
    faculty = Faculty(institution=institution, **fields)
    _save(faculty)
    audit_log(actor=actor, action="faculty_create", obj=faculty)
    return faculty


@transaction.atomic
def faculty_update(*, actor, faculty: Faculty, **fields) -> Faculty:
    _require(actor, Action.CHANGE, faculty)
    for name, value in fields.items():
        setattr(faculty, name, value)
    _save(faculty)
    audit_log(actor=actor, action="faculty_update", obj=faculty, data={"fields": sorted(fields)})
    return faculty


@transaction.atomic
def issuer_create(*, actor, faculty: Faculty, **fields) -> Issuer:
    _require(actor, Action.ADD_ISSUER, faculty)
    issuer = Issuer(faculty=faculty, **fields)
    _save(issuer)
    audit_log(actor=actor, action="issuer_create", obj=issuer)
    return issuer


def _differs(stored, value) -> bool:
    """Whether ``value`` (a form's) changes the ``stored`` column; a file by its name."""
    if value is not None and not isinstance(value, str) and hasattr(value, "name"):
        value = value.name
    return (value or "") != (stored or "")


@transaction.atomic
def issuer_update(*, actor, issuer: Issuer, **fields) -> Issuer:
    _require(actor, Action.CHANGE, issuer)
    if "faculty" in fields and fields["faculty"].institution_id != issuer.faculty.institution_id:
        raise ValidationError({"faculty": _("An issuer cannot move to another institution.")})
    if institution_of(issuer).is_endorsing_body:
        kept = sorted(set(BODY_PROFILE_FIELDS.values()) & set(fields))
        stored = Issuer.objects.filter(pk=issuer.pk).values(*kept).get() if kept else {}
        if changed := [name for name in kept if _differs(stored[name], fields[name])]:
            raise ValidationError(
                {
                    name: _(
                        "An endorsing body's profile shows the body's own name, description, "
                        "website and logo: the platform administrator changes them on the body."
                    )
                    for name in changed
                }
            )
    for name, value in fields.items():
        setattr(issuer, name, value)
    _save(issuer)
    audit_log(actor=actor, action="issuer_update", obj=issuer, data={"fields": sorted(fields)})
    return issuer


def _check_role_fits(role: str, scope) -> None:
    """An endorsing body awards nothing: its staff are admins (who endorse) or viewers."""
    if role == Role.AWARDER and institution_of(scope).is_endorsing_body:
        raise ValidationError(
            {"role": _("An endorsing body awards nothing: choose admin (endorses) or viewer.")}
        )


def _scope_kwargs(scope) -> dict:
    label = scope._meta.label
    key = {
        "issuers.Institution": "institution",
        "issuers.Faculty": "faculty",
        "issuers.Issuer": "issuer",
        "badges.BadgeClass": "badge_class",
    }[label]
    return {key: scope}


class UnverifiedAccount(ValidationError):
    """The account has not proven its address (nor signed in through SURFconext or eduID):
    a role given to it could land with whoever registered the address first."""

    def __init__(self):
        super().__init__(
            _(
                "This account has not confirmed its email address yet. Invite the person "
                "instead: the role is given once they accept from their mailbox."
            )
        )


@transaction.atomic
def membership_grant(*, actor, user, role: str, scope) -> Membership:
    """Give ``user`` ``role`` on ``scope``; replaces the role the user had on that scope.

    Only an account whose address is verified (or that signed in through SURFconext or eduID)
    gets a role directly; anyone else is invited (``invitation_create``).
    """
    _require(actor, Action.MANAGE_MEMBERS, scope)
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    _check_role_fits(role, scope)
    if not identities.is_verified(user):
        raise UnverifiedAccount()
    membership, _created = Membership.objects.update_or_create(
        user=user, **_scope_kwargs(scope), defaults={"role": role}
    )
    membership.full_clean()
    audit_log(
        actor=actor,
        action="membership_grant",
        obj=membership,
        institution=institution_of(scope),
        summary=f"{user.email}: {role} on {scope}",
    )
    return membership


@transaction.atomic
def membership_revoke(*, actor, membership: Membership) -> None:
    _require(actor, Action.MANAGE_MEMBERS, membership.scope)
    institution = membership.scope_institution
    audit_log(
        actor=actor,
        action="membership_revoke",
        obj=membership,
        institution=institution,
        summary=f"{membership.user.email}: {membership.role} on {membership.scope}",
    )
    membership.delete()


@transaction.atomic
def invitation_create(
    *,
    actor,
    institution: Institution,
    email: str = "",
    eppn: str = "",
    role: str = Role.ADMIN,
    faculty: Faculty | None = None,
    issuer: Issuer | None = None,
) -> Invitation:
    """Invite someone to take ``role`` on the institution (or a faculty or issuer in it): by
    email (a mail with a link goes out) or by eppn (taken at their SURFconext sign-in)."""
    scope = issuer or faculty or institution
    if institution_of(scope).pk != institution.pk:
        raise ValidationError(_("The faculty or issuer belongs to another institution."))
    _require(actor, Action.MANAGE_MEMBERS, scope)
    _check_role_fits(role, scope)
    invitation = Invitation(
        email=email.strip().lower(),
        eppn=eppn.strip().lower(),
        role=role,
        institution=institution,
        faculty=faculty,
        issuer=issuer,
        invited_by=actor if actor.is_authenticated else None,
        expires_at=timezone.now() + INVITATION_VALIDITY,
    )
    invitation.full_clean()
    invitation.save()
    audit_log(
        actor=actor,
        action="invitation_create",
        obj=invitation,
        institution=institution,
        summary=f"{invitation.email or invitation.eppn}: {role}",
    )
    if invitation.email:
        notification_queue(
            INVITATION_NOTIFICATION, target=invitation, key=f"invitation:{invitation.pk}"
        )
    return invitation


def invitation_message(notification) -> EmailMessage | None:
    """The invitation email (through the outbox); None once the invitation is used, expired
    or withdrawn."""
    invitation = (
        Invitation.objects.select_related("institution").filter(pk=notification.target_id).first()
    )
    if invitation is None or not invitation.is_open:
        return None
    link = settings.SITE_URL + reverse("staff:invitation_accept", args=[invitation.token])
    context = {"invitation": invitation, "link": link, "site_url": settings.SITE_URL}
    # The invitee has no account yet, so no known language: send Dutch and English.
    with translation.override("nl"):
        subject_nl = _("Invitation to manage badges of %(institution)s") % {
            "institution": invitation.institution.name_nl
        }
        body_nl = render_to_string("issuers/email/invitation.txt", context)
    with translation.override("en"):
        body_en = render_to_string("issuers/email/invitation.txt", context)
    notification.language = "nl+en"
    return EmailMessage(subject_nl, body_nl + "\n\n----\n\n" + body_en, None, [invitation.email])


@transaction.atomic
def invitation_withdraw(*, actor, invitation: Invitation) -> None:
    """Withdraw an invitation that was not accepted yet; its email, if still waiting, goes too."""
    scope = invitation.issuer or invitation.faculty or invitation.institution
    _require(actor, Action.MANAGE_MEMBERS, scope)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation was accepted already."))
    audit_log(
        actor=actor,
        action="invitation_withdraw",
        obj=invitation,
        institution=invitation.institution,
        summary=f"{invitation.email}: {invitation.role}",
    )
    invitation.delete()


class InvitationError(ValidationError):
    pass


@transaction.atomic
def invitation_accept(*, user, token: str) -> Membership:
    """Accept through the link in the invitation mail.

    The link proves the invited address: it is accepted by the account that holds that address
    (which thereby becomes verified), never by another one. An invitation for an eppn is
    accepted by the person who signed in with that eppn.
    """
    invitation = Invitation.objects.select_for_update().filter(token=token).first()
    if invitation is None or not invitation.is_open:
        raise InvitationError(_("This invitation is unknown, already used or expired."))
    if invitation.email:
        if invitation.email != user.email.lower() and invitation.email not in (
            identities.verified_emails(user)
        ):
            raise InvitationError(
                _("This invitation was sent to another email address. Sign in with %(email)s.")
                % {"email": invitation.email}
            )
        try:
            identities.email_bind(user=user, email=invitation.email)
        except ValueError as error:
            raise InvitationError(
                _("Another account has confirmed %(email)s. Sign in with that account.")
                % {"email": invitation.email}
            ) from error
    elif invitation.eppn not in identities.eppns(user):
        raise InvitationError(
            _("This invitation is for %(eppn)s. Sign in through SURFconext with that account.")
            % {"eppn": invitation.eppn}
        )
    return _invitation_take(invitation, user)


def _invitation_take(invitation: Invitation, user) -> Membership:
    scope = invitation.issuer or invitation.faculty or invitation.institution
    membership, _created = Membership.objects.update_or_create(
        user=user, **_scope_kwargs(scope), defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_log(
        actor=user, action="invitation_accept", obj=invitation, institution=invitation.institution
    )
    return membership


@transaction.atomic
def invitations_accept_for_sso(*, user, institution: Institution, eppn: str) -> list[Membership]:
    """A sign-in through SURFconext at ``institution`` takes the open invitations of that
    institution for the person's eppn or for one of their verified addresses."""
    emails = identities.verified_emails(user)
    query = Q(eppn=eppn.lower()) if eppn else Q(pk__in=[])
    if emails:
        query |= Q(email__in=emails)
    now = timezone.now()
    invitations = (
        Invitation.objects.select_for_update()
        .filter(query, institution=institution, accepted_at__isnull=True, expires_at__gt=now)
        .order_by("created_at")
    )
    return [_invitation_take(invitation, user) for invitation in invitations]
