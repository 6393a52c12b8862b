from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .badge_types import BadgeType
from .images import validate_logo, validate_png_or_svg
from .roles import Role


class Sector(models.TextChoices):
    MBO = "mbo", _("MBO (secondary vocational education)")
    HBO = "hbo", _("HBO (university of applied sciences)")
    WO = "wo", _("WO (research university)")


class BilingualMixin:
    """Picks the Dutch or English text according to the active language."""

    def translated(self, field: str) -> str:
        language = (get_language() or "nl")[:2]
        preferred = getattr(self, f"{field}_{language}", "")
        return preferred or getattr(self, f"{field}_nl", "") or getattr(self, f"{field}_en", "")

    @property
    def name(self) -> str:
        return self.translated("name")

    @property
    def description(self) -> str:
        return self.translated("description")


def _for_user_filter(user, roles: set[str], path: str) -> Q:
    """Rows reachable from a membership of ``user`` with one of ``roles``.

    ``path`` is the lookup from the model to an Issuer (``""`` for Issuer itself); rights
    granted on an institution, faculty or issuer flow down to everything below it.
    """
    memberships = Membership.objects.filter(user=user, role__in=roles)
    prefix = f"{path}__" if path else ""
    return (
        Q(**{f"{prefix}faculty__institution__in": memberships.values("institution")})
        | Q(**{f"{prefix}faculty__in": memberships.values("faculty")})
        | Q(**{f"{prefix}pk__in" if not path else f"{path}__in": memberships.values("issuer")})
    )


class InstitutionQuerySet(models.QuerySet["Institution"]):
    def education(self) -> InstitutionQuerySet:
        """Schools only: what the catalogue, the insights and onboarding to issue are about."""
        return self.filter(kind=Institution.Kind.EDUCATION)

    def endorsing_bodies(self) -> InstitutionQuerySet:
        return self.filter(kind=Institution.Kind.ENDORSING_BODY)

    def for_user(self, user, role: str = Role.VIEWER) -> InstitutionQuerySet:
        """Institutions the user may see (any role anywhere inside) or act on at ``role``."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        roles = Role.at_least(role)
        memberships = Membership.objects.filter(user=user, role__in=roles)
        if role == Role.VIEWER:
            return self.filter(
                Q(pk__in=memberships.values("institution"))
                | Q(pk__in=memberships.values("faculty__institution"))
                | Q(pk__in=memberships.values("issuer__faculty__institution"))
                | Q(pk__in=memberships.values("badge_class__issuer__faculty__institution"))
            ).distinct()
        return self.filter(pk__in=memberships.values("institution"))


class Institution(BilingualMixin, models.Model):
    """A school onboarded by the platform admins (mbo, hbo or wo), or an endorsing body.

    An endorsing body (a professional association, an employer federation, a ministry) is
    registered by the platform admins too. It has one issuer profile with signing keys, in
    whose name its staff endorse badges and issuers of institutions; it defines no badges,
    awards nothing and is no school in the catalogue, the insights or the onboarding to issue.
    """

    class Kind(models.TextChoices):
        EDUCATION = "education", _("education institution")
        ENDORSING_BODY = "endorsing_body", _("endorsing body")

    kind = models.CharField(
        _("kind"), max_length=16, choices=Kind.choices, default=Kind.EDUCATION, editable=False
    )
    sector = models.CharField(_("sector"), max_length=3, choices=Sector.choices, blank=True)
    schac_home = models.CharField(
        _("SCHAC home organisation"),
        max_length=255,
        unique=True,
        validators=[
            RegexValidator(
                r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$",
                _("Enter a lower-case domain name, e.g. university.nl."),
            )
        ],
        help_text=_("The institution's domain in eduID/SURFconext, e.g. university.nl."),
    )
    brin = models.CharField(
        _("BRIN code"),
        max_length=6,
        blank=True,
        validators=[
            RegexValidator(r"^[0-9]{2}[A-Z]{2}([0-9A-Z]{2})?$", _("Enter a BRIN code, e.g. 21PB."))
        ],
    )
    name_nl = models.CharField(_("name (Dutch)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255)
    description_nl = models.TextField(_("description (Dutch)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    logo = models.FileField(
        _("logo"),
        upload_to="institutions/",
        blank=True,
        validators=[validate_logo],
        help_text=_("PNG or SVG, at most 2 MB and 4096×4096 pixels."),
    )
    country = models.CharField(_("country"), max_length=2, default="NL")
    website = models.URLField(_("website"), blank=True)
    linkedin_organisation_id = models.CharField(
        _("LinkedIn organisation id"),
        max_length=32,
        blank=True,
        validators=[RegexValidator(r"^[0-9]+$", _("Enter the numeric LinkedIn organisation id."))],
    )
    enabled_badge_types = models.JSONField(
        _("enabled badge types"),
        default=list,
        blank=True,
        help_text=_("The badge types this institution may issue."),
    )
    eppn_pattern = models.CharField(
        _("eppn pattern"),
        max_length=255,
        blank=True,
        help_text=_(
            "Regular expression that students' eppn must match, e.g. ^[a-z0-9]+@university\\.nl$."
        ),
    )
    staff_password_login = models.BooleanField(
        _("staff may sign in with a password"),
        default=True,
        help_text=_(
            "Switch off to have staff sign in through SURFconext only (students are not affected)."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InstitutionQuerySet.as_manager()

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["name_en"]

    def __str__(self) -> str:
        return self.name_en or self.name_nl

    def clean(self) -> None:
        if self.is_endorsing_body:
            if self.enabled_badge_types or self.sector or self.brin or self.eppn_pattern:
                raise ValidationError(
                    _("An endorsing body has no sector, BRIN, badge types or students.")
                )
            return
        if not self.sector:
            raise ValidationError({"sector": _("Choose the sector of the institution.")})
        unknown = [
            value for value in self.enabled_badge_types or [] if value not in BadgeType.values
        ]
        if unknown:
            raise ValidationError({"enabled_badge_types": _("Unknown badge type: %s") % unknown[0]})
        self.enabled_badge_types = [
            t for t in BadgeType.values if t in (self.enabled_badge_types or [])
        ]

    @property
    def is_endorsing_body(self) -> bool:
        return self.kind == self.Kind.ENDORSING_BODY

    def has_badge_type(self, badge_type: str) -> bool:
        return not self.is_endorsing_body and badge_type in (self.enabled_badge_types or [])

    @property
    def enabled_badge_type_choices(self) -> list[tuple[str, str]]:
        return [(value, label) for value, label in BadgeType.choices if self.has_badge_type(value)]


class EndorsingBody(Institution):
    """The platform admin's window on endorsing bodies (see ``Institution``)."""

    class Meta:
        proxy = True
        verbose_name = _("endorsing body")
        verbose_name_plural = _("endorsing bodies")


class FacultyQuerySet(models.QuerySet["Faculty"]):
    def for_user(self, user, role: str = Role.VIEWER) -> FacultyQuerySet:
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        roles = Role.at_least(role)
        memberships = Membership.objects.filter(user=user, role__in=roles)
        visible = Q(institution__in=memberships.values("institution")) | Q(
            pk__in=memberships.values("faculty")
        )
        if role == Role.VIEWER:
            visible |= Q(pk__in=memberships.values("issuer__faculty")) | Q(
                pk__in=memberships.values("badge_class__issuer__faculty")
            )
        return self.filter(visible).distinct()


class Faculty(BilingualMixin, models.Model):
    """An issuer group inside an institution (faculty, school, department)."""

    institution = models.ForeignKey(
        Institution,
        on_delete=models.CASCADE,
        related_name="faculties",
        verbose_name=_("institution"),
    )
    name_nl = models.CharField(_("name (Dutch)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255)
    description_nl = models.TextField(_("description (Dutch)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FacultyQuerySet.as_manager()

    class Meta:
        verbose_name = _("faculty")
        verbose_name_plural = _("faculties")
        ordering = ["name_en"]

    def __str__(self) -> str:
        return self.name_en or self.name_nl


class IssuerQuerySet(models.QuerySet["Issuer"]):
    def for_user(self, user, role: str = Role.VIEWER) -> IssuerQuerySet:
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        roles = Role.at_least(role)
        visible = _for_user_filter(user, roles, "")
        if role == Role.VIEWER:
            memberships = Membership.objects.filter(user=user, role__in=roles)
            visible |= Q(pk__in=memberships.values("badge_class__issuer"))
        return self.filter(visible).distinct()


class Issuer(BilingualMixin, models.Model):
    """The party named as issuer on badges: a programme, department or centre."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    faculty = models.ForeignKey(
        Faculty, on_delete=models.CASCADE, related_name="issuers", verbose_name=_("faculty")
    )
    name_nl = models.CharField(_("name (Dutch)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255)
    description_nl = models.TextField(_("description (Dutch)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    url = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("contact email"))
    image = models.FileField(
        _("image"),
        upload_to="issuers/",
        blank=True,
        validators=[validate_png_or_svg],
        help_text=_("PNG or SVG, at most 2 MB."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = IssuerQuerySet.as_manager()

    class Meta:
        verbose_name = _("issuer")
        verbose_name_plural = _("issuers")
        ordering = ["name_en"]

    def __str__(self) -> str:
        return self.name_en or self.name_nl

    @property
    def institution(self) -> Institution:
        return self.faculty.institution

    @property
    def full_name(self) -> str:
        """The issuer with its institution, in the active language ("Mechatronics programme
        (MBO College)"); an endorsing body's issuer profile is the body itself."""
        institution = self.faculty.institution
        if institution.is_endorsing_body or institution.name in self.name:
            return self.name
        return f"{self.name} ({institution.name})"


class Membership(models.Model):
    """A role of a user on one institution, faculty, issuer or badge class.

    Rights inherit downward: an awarder on a faculty may award every badge class of every
    issuer in it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    institution = models.ForeignKey(
        Institution, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    faculty = models.ForeignKey(
        Faculty, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    issuer = models.ForeignKey(
        Issuer, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    badge_class = models.ForeignKey(
        "badges.BadgeClass",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.CheckConstraint(
                name="membership_exactly_one_scope",
                condition=(
                    Q(
                        institution__isnull=False,
                        faculty__isnull=True,
                        issuer__isnull=True,
                        badge_class__isnull=True,
                    )
                    | Q(
                        institution__isnull=True,
                        faculty__isnull=False,
                        issuer__isnull=True,
                        badge_class__isnull=True,
                    )
                    | Q(
                        institution__isnull=True,
                        faculty__isnull=True,
                        issuer__isnull=False,
                        badge_class__isnull=True,
                    )
                    | Q(
                        institution__isnull=True,
                        faculty__isnull=True,
                        issuer__isnull=True,
                        badge_class__isnull=False,
                    )
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "institution", "faculty", "issuer", "badge_class"],
                name="membership_one_role_per_scope",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.scope}"

    @property
    def scope(self):
        return self.institution or self.faculty or self.issuer or self.badge_class

    @property
    def scope_institution(self) -> Institution:
        if self.institution_id:
            return self.institution
        if self.faculty_id:
            return self.faculty.institution
        if self.issuer_id:
            return self.issuer.faculty.institution
        return self.badge_class.issuer.faculty.institution

    def clean(self) -> None:
        if self.role == Role.ADMIN and self.badge_class_id:
            raise ValidationError(
                {"role": _("Admin rights are granted on an institution, faculty or issuer.")}
            )


def _invitation_token() -> str:
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    """An invitation to take a role on an institution, faculty or issuer: by email (the link in
    the mail proves the address), or for an eppn (taken when that person signs in through
    SURFconext)."""

    email = models.EmailField(_("email address"), blank=True)
    eppn = models.CharField(
        _("eduPersonPrincipalName"),
        max_length=255,
        blank=True,
        help_text=_("The identity at the institution, e.g. j.jansen@university.nl."),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.ADMIN)
    institution = models.ForeignKey(
        Institution,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("institution"),
    )
    faculty = models.ForeignKey(Faculty, null=True, blank=True, on_delete=models.CASCADE)
    issuer = models.ForeignKey(Issuer, null=True, blank=True, on_delete=models.CASCADE)
    token = models.CharField(max_length=64, unique=True, default=_invitation_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # Emails about it waiting in the outbox go with it.
    notifications = GenericRelation(
        "notifications.Notification",
        content_type_field="target_type",
        object_id_field="target_id",
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email or self.eppn} → {self.institution}"

    def clean(self) -> None:
        if not self.email and not self.eppn:
            raise ValidationError(_("Enter an email address or an eppn."))

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()


class AuditEntry(models.Model):
    """Who changed what, written in the same transaction as the change, through
    ``issuers.audit.audit_log`` only.

    Entries form a hash chain per institution (``chain``; one more for the platform):
    ``entry_hash`` covers the previous entry's hash, the fields below and ``personal_digest``,
    a salted digest of the fields that may name a person (summary, object id, data). Erasure
    replaces those fields and forgets the salt; the chain still verifies over the digest.
    """

    institution = models.ForeignKey(
        Institution, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_entries"
    )
    # Accounts in the trail are anonymised on erasure, never deleted: the chain covers them.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_entries_about",
        help_text=_("The person the entry is about (a student's consent, export or erasure)."),
    )
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    badge_type = models.CharField(max_length=32, choices=BadgeType.choices, blank=True)
    summary = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    chain = models.CharField(max_length=32)
    sequence = models.PositiveBigIntegerField()
    previous_hash = models.CharField(max_length=64, blank=True)
    personal_salt = models.CharField(max_length=32, blank=True)
    personal_digest = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "sequence"], name="one_entry_per_link")
        ]
        indexes = [models.Index(fields=["subject", "created_at"], name="audit_entry_subject")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"

    @property
    def label(self) -> str:
        from .audit import label

        return label(self.action)

    @property
    def is_redacted(self) -> bool:
        return not self.personal_salt


class AuditChain(models.Model):
    """The head of one chain of audit entries; writers lock it, so the chain never forks."""

    key = models.CharField(max_length=32, unique=True)
    length = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("audit chain")
        verbose_name_plural = _("audit chains")

    def __str__(self) -> str:
        return f"{self.key} ({self.length})"


class SigningKey(models.Model):
    """A key pair an issuer signs credentials with.

    The private key is sealed with the key-encryption key from the environment. Retired keys
    keep their public half published, so that credentials signed with them still verify, but
    only those signed before ``valid_until``: the moment of retirement, or the (earlier)
    moment a compromised key fell into other hands.
    """

    class Algorithm(models.TextChoices):
        RS256 = "RS256", "RSA-2048 (RS256)"
        EDDSA = "EdDSA", "Ed25519 (EdDSA)"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    issuer = models.ForeignKey(Issuer, on_delete=models.CASCADE, related_name="signing_keys")
    algorithm = models.CharField(max_length=8, choices=Algorithm.choices)
    public_key_pem = models.TextField()
    sealed_private_key = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True)
    compromised_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("Nothing this key signed from this moment on is trusted."),
    )

    class Meta:
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "algorithm"],
                condition=Q(retired_at__isnull=True),
                name="one_active_key_per_algorithm",
            )
        ]

    def __str__(self) -> str:
        state = "compromised" if self.compromised_at else "retired" if self.retired_at else "active"
        return f"{self.issuer} {self.algorithm} ({state})"

    @property
    def valid_until(self):
        """The moment from which this key's signatures are no longer trusted, if any."""
        return self.compromised_at or self.retired_at

    @property
    def fragment(self) -> str:
        return f"key-{self.public_id}"
