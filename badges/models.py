from __future__ import annotations

import re
import secrets
import uuid
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from issuers.badge_types import BadgeType
from issuers.images import validate_png_or_svg
from issuers.models import BilingualMixin, Issuer, Membership, Sector
from issuers.roles import Role

from .choices import AssessmentType, EqfLevel, ExpiryUnit, Language, NlqfLevel, Participation
from .markdown import render_markdown

# Fields that may still change once a badge class has been awarded: none of them alters what
# an issued credential claims.
EDITABLE_AFTER_AWARD = frozenset(
    {
        "archived",
        "self_enrollment_enabled",
        "tags",
        "narrative_required",
        "evidence_required",
        "award_instructions",
        "expiry_amount",
        "expiry_unit",
        "updated_at",
    }
)
PROGRAMME_CODE = re.compile(r"^[0-9]{5}$")
TAG = re.compile(r"^[\w\- .]{1,50}$")


class BadgeClassQuerySet(models.QuerySet["BadgeClass"]):
    def for_user(self, user, role: str = Role.VIEWER) -> BadgeClassQuerySet:
        """Badge classes ``user`` may see, or act on with at least ``role``."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        memberships = Membership.objects.filter(user=user, role__in=Role.at_least(role))
        return self.filter(
            Q(issuer__faculty__institution__in=memberships.values("institution"))
            | Q(issuer__faculty__in=memberships.values("faculty"))
            | Q(issuer__in=memberships.values("issuer"))
            | Q(pk__in=memberships.values("badge_class"))
        ).distinct()

    def active(self) -> BadgeClassQuerySet:
        return self.filter(archived=False)


class BadgeClass(BilingualMixin, models.Model):
    """A badge an issuer can award: one of the three badge types, with its rules."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    issuer = models.ForeignKey(
        Issuer, on_delete=models.PROTECT, related_name="badge_classes", verbose_name=_("issuer")
    )
    badge_type = models.CharField(_("badge type"), max_length=32, choices=BadgeType.choices)

    name_nl = models.CharField(_("name (Dutch)"), max_length=255, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    description_nl = models.TextField(_("description (Dutch)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    language = models.CharField(
        _("language of instruction"), max_length=2, choices=Language.choices, default=Language.DUTCH
    )
    image = models.FileField(
        _("image"),
        upload_to="badges/",
        validators=[validate_png_or_svg],
        help_text=_("The badge image: PNG or SVG, at most 2 MB, square, at least 64×64 pixels."),
    )
    criteria_nl = models.TextField(
        _("criteria (Dutch)"),
        blank=True,
        help_text=_("What a student must do to earn this badge. Markdown is allowed."),
    )
    criteria_en = models.TextField(_("criteria (English)"), blank=True)
    criteria_url = models.URLField(_("criteria URL"), blank=True)
    learning_outcomes_nl = models.TextField(
        _("learning outcomes (Dutch)"),
        blank=True,
        help_text=_(
            "What the student knows or can do after earning the badge; one outcome per line."
        ),
    )
    learning_outcomes_en = models.TextField(_("learning outcomes (English)"), blank=True)
    eqf_level = models.PositiveSmallIntegerField(
        _("EQF level"),
        choices=EqfLevel.choices,
        null=True,
        blank=True,
        help_text=_("Level in the European Qualifications Framework."),
    )
    nlqf_level = models.CharField(
        _("NLQF level"),
        max_length=8,
        choices=NlqfLevel.choices,
        blank=True,
        help_text=_("Level in the Dutch Qualifications Framework."),
    )
    programme_identifier = models.CharField(
        _("programme identifier"),
        max_length=5,
        blank=True,
        help_text=_(
            "The CROHO code (hbo, wo) or CREBO code (mbo) of the accredited programme: five digits."
        ),
    )
    study_load_ects = models.DecimalField(
        _("study load (ECTS)"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("240"))],
        help_text=_("Credits in ECTS. A microcredential in hbo or wo carries 3 to 30 ECTS."),
    )
    study_load_hours = models.PositiveIntegerField(
        _("study load (hours)"),
        null=True,
        blank=True,
        help_text=_("Study hours (SBU). A microcredential in mbo carries at least 240 hours."),
    )
    assessment_type = models.CharField(
        _("type of assessment"),
        max_length=32,
        choices=AssessmentType.choices,
        blank=True,
        help_text=_("How the learning outcomes are assessed."),
    )
    assessment_description = models.TextField(_("assessment details"), blank=True)
    participation = models.CharField(
        _("form of participation"),
        max_length=32,
        choices=Participation.choices,
        blank=True,
        help_text=_("Online, on site, blended or as work experience."),
    )
    quality_assurance_name = models.CharField(
        _("quality assurance: name"),
        max_length=255,
        blank=True,
        help_text=_("The quality framework the unit falls under."),
    )
    quality_assurance_url = models.URLField(_("quality assurance: URL"), blank=True)
    quality_assurance_description = models.TextField(
        _("quality assurance: description"), blank=True
    )
    tags = models.JSONField(_("tags"), default=list, blank=True)
    expiry_amount = models.PositiveIntegerField(
        _("valid for"),
        null=True,
        blank=True,
        help_text=_("Leave empty when the badge does not expire."),
    )
    expiry_unit = models.CharField(
        _("unit"), max_length=8, choices=ExpiryUnit.choices, default=ExpiryUnit.YEARS
    )
    narrative_required = models.BooleanField(
        _("narrative required"),
        default=False,
        help_text=_("An awarder must describe how the student earned the badge."),
    )
    evidence_required = models.BooleanField(
        _("evidence required"),
        default=False,
        help_text=_("An awarder (or the student, when enrolling) must add evidence."),
    )
    award_instructions = models.TextField(
        _("instructions for awarders and students"),
        blank=True,
    )
    self_enrollment_enabled = models.BooleanField(
        _("open for enrolment"),
        default=False,
        help_text=_("Students can find this badge in the catalogue and request it."),
    )
    prerequisites = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="unlocks",
        verbose_name=_("prerequisites"),
        help_text=_("Badges a student must hold before this one can be awarded."),
    )
    archived = models.BooleanField(
        _("archived"), default=False, help_text=_("Archived badges can no longer be awarded.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BadgeClassQuerySet.as_manager()

    class Meta:
        verbose_name = _("badge class")
        verbose_name_plural = _("badge classes")
        ordering = ["name_en", "name_nl"]

    def __str__(self) -> str:
        return self.name_en or self.name_nl or str(self.public_id)

    @property
    def institution(self):
        return self.issuer.faculty.institution

    @property
    def criteria_html(self) -> str:
        return render_markdown(self.translated("criteria"))

    @property
    def learning_outcomes(self) -> list[str]:
        return [
            line.strip("-• ").strip()
            for line in self.translated("learning_outcomes").splitlines()
            if line.strip()
        ]

    @property
    def is_awarded(self) -> bool:
        if not self.pk:
            return False
        return self.awards.exists() or self.assertions.exists()

    # --- validation -----------------------------------------------------------------------

    def clean(self) -> None:
        errors: dict[str, list] = {}

        def error(field: str, message) -> None:
            errors.setdefault(field, []).append(message)

        self._clean_texts(error)
        self._clean_type_rules(error)
        self._clean_tags(error)
        if errors:
            raise ValidationError(errors)
        self._clean_immutability()

    def _clean_texts(self, error) -> None:
        if not (self.name_nl.strip() or self.name_en.strip()):
            error("name_nl", _("Enter a name in Dutch or English."))
        if not (self.description_nl.strip() or self.description_en.strip()):
            error("description_nl", _("Enter a description in Dutch or English."))
        if not (self.criteria_nl.strip() or self.criteria_en.strip() or self.criteria_url):
            error("criteria_nl", _("Describe the criteria or give a criteria URL."))
        if self.expiry_amount == 0:
            error("expiry_amount", _("Leave empty for no expiry, or enter a positive number."))

    def _clean_type_rules(self, error) -> None:
        if self.badge_type not in BadgeType.values:
            return
        institution = self.issuer.faculty.institution if self.issuer_id else None
        if (
            institution is not None
            and not institution.has_badge_type(self.badge_type)
            and not self.pk
        ):
            error(
                "badge_type",
                _("%(institution)s has not enabled the badge type “%(type)s”.")
                % {"institution": institution.name, "type": self.get_badge_type_display()},
            )
        has_outcomes = bool(self.learning_outcomes_nl.strip() or self.learning_outcomes_en.strip())
        if self.programme_identifier and not PROGRAMME_CODE.match(self.programme_identifier):
            error("programme_identifier", _("A CROHO or CREBO code has five digits."))

        if self.badge_type == BadgeType.EXTRACURRICULAR:
            if self.study_load_ects is not None:
                error(
                    "study_load_ects",
                    _("A certificate for extra-curricular activities carries no ECTS credits."),
                )
            if self.study_load_hours is not None:
                error(
                    "study_load_hours",
                    _("A certificate for extra-curricular activities carries no study load."),
                )
            return

        if not has_outcomes:
            error("learning_outcomes_nl", _("Enter the learning outcomes."))

        if self.badge_type == BadgeType.DIGITAL_EDUCATION:
            if self.eqf_level is None and not self.nlqf_level:
                error("eqf_level", _("Choose the EQF or NLQF level."))
            if not self.programme_identifier:
                error("programme_identifier", _("Enter the CROHO or CREBO code of the programme."))
            return

        # Microcredential: every element the EU Council Recommendation (2022) makes mandatory.
        sector = institution.sector if institution is not None else None
        if sector == Sector.MBO:
            if self.study_load_hours is None:
                error(
                    "study_load_hours",
                    _(
                        "Enter the study load in hours (SBU); an mbo microcredential needs at least 240."
                    ),
                )
            elif self.study_load_hours < 240:
                error(
                    "study_load_hours",
                    _("An mbo microcredential carries at least 240 study hours (SBU)."),
                )
        else:
            if self.study_load_ects is None:
                error(
                    "study_load_ects",
                    _("Enter the study load in ECTS: a microcredential carries 3 to 30 ECTS."),
                )
            elif not Decimal("3") <= self.study_load_ects <= Decimal("30"):
                error("study_load_ects", _("A microcredential carries 3 to 30 ECTS."))
        if self.eqf_level is None:
            error("eqf_level", _("Choose the EQF level."))
        if not self.assessment_type:
            error("assessment_type", _("Choose the type of assessment."))
        if not self.participation:
            error("participation", _("Choose the form of participation."))
        if not self.quality_assurance_name.strip():
            error("quality_assurance_name", _("Enter the name of the quality framework."))
        if not self.quality_assurance_url:
            error("quality_assurance_url", _("Enter the URL of the quality framework."))
        if not self.quality_assurance_description.strip():
            error("quality_assurance_description", _("Describe the quality assurance."))

    def _clean_tags(self, error) -> None:
        if not isinstance(self.tags, list) or not all(
            isinstance(t, str) and TAG.match(t) for t in self.tags
        ):
            error(
                "tags",
                _(
                    "Tags are short words (letters, digits, spaces, dashes), at most 50 characters each."
                ),
            )

    def _clean_immutability(self) -> None:
        if not self.pk or not self.is_awarded:
            return
        stored = type(self).objects.get(pk=self.pk)
        changed = [
            field.name
            for field in self._meta.concrete_fields
            if field.name not in EDITABLE_AFTER_AWARD
            and field.value_from_object(stored) != field.value_from_object(self)
        ]
        if changed:
            raise ValidationError(
                {
                    name: _("This badge has been awarded; this field can no longer change.")
                    for name in changed
                }
            )

    def expiry_date(self, issued_on):
        from dateutil.relativedelta import relativedelta

        if not self.expiry_amount:
            return None
        return issued_on + relativedelta(**{self.expiry_unit: self.expiry_amount})


class Alignment(models.Model):
    """A link from a badge class to a competency framework or standard."""

    badge_class = models.ForeignKey(BadgeClass, on_delete=models.CASCADE, related_name="alignments")
    target_name = models.CharField(_("name"), max_length=255)
    target_url = models.URLField(_("URL"))
    target_description = models.TextField(_("description"), blank=True)
    target_framework = models.CharField(_("framework"), max_length=255, blank=True)
    target_code = models.CharField(_("code"), max_length=255, blank=True)
    target_type = models.CharField(_("type of target"), max_length=64, blank=True)
    framework_item = models.ForeignKey(
        "frameworks.FrameworkItem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alignments",
        verbose_name=_("framework item"),
    )

    class Meta:
        verbose_name = _("alignment")
        verbose_name_plural = _("alignments")
        constraints = [
            models.UniqueConstraint(
                fields=["badge_class", "framework_item"], name="unique_framework_alignment"
            )
        ]

    def __str__(self) -> str:
        return self.target_name


def _claim_token() -> str:
    return secrets.token_urlsafe(32)


class Award(models.Model):
    """An offer of a badge to one recipient, by email or eppn."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        OFFERED = "offered", _("Offered")
        CLAIMED = "claimed", _("Claimed")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    badge_class = models.ForeignKey(BadgeClass, on_delete=models.PROTECT, related_name="awards")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OFFERED)
    recipient_email = models.EmailField(_("recipient email"), blank=True)
    recipient_eppn = models.CharField(_("recipient eppn"), max_length=255, blank=True)
    recipient_name = models.CharField(_("recipient name"), max_length=255, blank=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="awards",
    )
    narrative = models.TextField(_("narrative"), blank=True)
    evidence_url = models.URLField(_("evidence URL"), blank=True)
    evidence_file = models.FileField(_("evidence file"), upload_to="evidence/", blank=True)
    grade = models.CharField(_("grade"), max_length=64, blank=True)
    claim_token = models.CharField(max_length=64, unique=True, default=_claim_token, editable=False)
    scheduled_for = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    prerequisites_overridden = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    # Awarding (badges.awarding): when the offer went out (a scheduled award later than its
    # creation), the language of a recipient without an account, why an admin overrode
    # missing prerequisites or withdrew the award, and where the award came from.
    offered_at = models.DateTimeField(null=True, blank=True)
    recipient_language = models.CharField(
        _("recipient's language"),
        max_length=2,
        blank=True,
        choices=[("nl", "Nederlands"), ("en", "English")],
    )
    override_reason = models.TextField(_("reason for the override"), blank=True)
    withdrawal_reason = models.TextField(_("reason for the withdrawal"), blank=True)
    issued_directly = models.BooleanField(default=False)
    bulk_award = models.ForeignKey(
        "BulkAward", null=True, blank=True, on_delete=models.SET_NULL, related_name="awards"
    )
    enrollment = models.OneToOneField(
        "Enrollment", null=True, blank=True, on_delete=models.SET_NULL, related_name="award"
    )

    # What the recipient was told (the outbox); deleted with the object.
    notifications = GenericRelation(
        "notifications.Notification",
        content_type_field="target_type",
        object_id_field="target_id",
        related_query_name="award",
    )

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "scheduled_for"], name="award_status_scheduled"),
            models.Index(fields=["status", "offered_at"], name="award_status_offered"),
            models.Index(fields=["status", "expires_at"], name="award_status_expires"),
            models.Index(fields=["badge_class", "recipient_email"], name="award_class_email"),
            # The staff list of a badge class's awards, newest first, page after page from
            # the last row shown (edubadges.listing), with or without a status filter; the
            # second also counts the awards of each status (from the index alone).
            models.Index(fields=["badge_class", "-created_at", "-id"], name="award_class_created"),
            models.Index(
                fields=["badge_class", "status", "-created_at", "-id"],
                name="award_class_status_created",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.badge_class} → {self.recipient_email or self.recipient_eppn}"


class Enrollment(models.Model):
    """A student's request to receive a badge class open for enrolment."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        DENIED = "denied", _("Denied")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    badge_class = models.ForeignKey(
        BadgeClass, on_delete=models.CASCADE, related_name="enrollments"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    narrative = models.TextField(_("narrative"), blank=True)
    evidence_url = models.URLField(_("evidence URL"), blank=True)
    denial_reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    # What the recipient was told (the outbox); deleted with the object.
    notifications = GenericRelation(
        "notifications.Notification",
        content_type_field="target_type",
        object_id_field="target_id",
        related_query_name="enrollment",
    )

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["badge_class", "user"],
                condition=Q(status="pending"),
                name="one_pending_enrollment_per_badge",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.badge_class} ({self.status})"


def _assertion_id() -> str:
    return secrets.token_urlsafe(18)


class StatusList(models.Model):
    """One of an issuer's W3C Bitstring Status Lists (purpose: revocation).

    Every signed credential gets one bit. Positions are handed out in order under a row lock
    and mapped to indexes by ``(multiplier * position + offset) % size`` (``multiplier``
    coprime with ``size``), so indexes are unique but do not reveal the order of issuing.
    The signed list credential is kept in ``published`` (its JSON text, served as stored)
    and renewed whenever a bit changes.
    """

    issuer = models.ForeignKey(Issuer, on_delete=models.CASCADE, related_name="status_lists")
    number = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    multiplier = models.PositiveIntegerField()
    offset = models.PositiveIntegerField()
    next_position = models.PositiveIntegerField(default=0)
    published = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("status list")
        verbose_name_plural = _("status lists")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "number"], name="one_status_list_number")
        ]

    def __str__(self) -> str:
        return f"{self.issuer} status list {self.number}"

    @property
    def is_full(self) -> bool:
        return self.next_position >= self.size

    def index_at(self, position: int) -> int:
        return (self.multiplier * position + self.offset) % self.size


class Assertion(models.Model):
    """An issued badge: the signed credential held by one recipient."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for signature")
        SIGNING = "signing", _("Being signed")
        ISSUED = "issued", _("Issued")
        REVOKED = "revoked", _("Revoked")
        FAILED = "failed", _("Signing failed")

    public_id = models.CharField(max_length=32, unique=True, default=_assertion_id, editable=False)
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    badge_class = models.ForeignKey(BadgeClass, on_delete=models.PROTECT, related_name="assertions")
    award = models.OneToOneField(
        Award, null=True, blank=True, on_delete=models.SET_NULL, related_name="assertion"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assertions",
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    identity_type = models.CharField(max_length=16, default="email")
    # The recipient's email, needed until the credential is signed; erased with the account.
    recipient_identity = models.CharField(max_length=255, blank=True)
    identity_hash = models.CharField(max_length=80)
    salt = models.CharField(max_length=64)
    recipient_name = models.CharField(max_length=255, blank=True)
    narrative = models.TextField(blank=True)
    evidence_url = models.URLField(blank=True)
    grade = models.CharField(max_length=64, blank=True)
    issued_on = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.TextField(blank=True)
    is_public = models.BooleanField(default=False)
    show_evidence = models.BooleanField(default=False)
    show_grade = models.BooleanField(default=False)
    signing_attempts = models.PositiveSmallIntegerField(default=0)
    # When a signing message was last sent for it (on creation, by the sweep or a retry), so
    # the sweep sends one again only when that one has had time to arrive.
    queued_at = models.DateTimeField(null=True, blank=True)
    # What stopped the last signing attempt (the error's type), for staff.
    signing_error = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # Set once the recipient has been told that the badge expired (badges.awarding).
    expiry_notified_at = models.DateTimeField(null=True, blank=True)
    status_list = models.ForeignKey(
        StatusList, null=True, blank=True, on_delete=models.PROTECT, related_name="assertions"
    )
    status_index = models.PositiveIntegerField(null=True, blank=True)

    # What the recipient was told (the outbox); deleted with the object.
    notifications = GenericRelation(
        "notifications.Notification",
        content_type_field="target_type",
        object_id_field="target_id",
        related_query_name="assertion",
    )

    class Meta:
        verbose_name = _("assertion")
        verbose_name_plural = _("assertions")
        ordering = ["-issued_on"]
        indexes = [
            models.Index(fields=["status", "expires_at"], name="assertion_status_expires"),
            models.Index(fields=["status", "updated_at"], name="assertion_status_updated"),
            # The staff list of a badge class's badges, newest first, page after page from
            # the last row shown (edubadges.listing).
            models.Index(
                fields=["badge_class", "-issued_on", "-id"], name="assertion_class_issued"
            ),
            # The badges of a badge class whose signing failed, counted on its staff list:
            # only those rows are in the index.
            models.Index(
                fields=["badge_class"],
                condition=models.Q(status="failed"),
                name="assertion_class_failed",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["status_list", "status_index"], name="one_assertion_per_status_bit"
            )
        ]

    def __str__(self) -> str:
        return f"{self.badge_class} #{self.public_id}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    # The signed documents live in ``AssertionDocuments`` so that lists never load them.
    # These read-through names serve code that looks at one assertion; a list that needs
    # them selects ``documents`` (``select_related``) instead.
    def _document(self, name: str, empty=None):
        try:
            documents = self.documents
        except AssertionDocuments.DoesNotExist:
            return empty
        return getattr(documents, name)

    @property
    def ob2_assertion(self) -> dict | None:
        return self._document("ob2_assertion")

    @property
    def ob2_jws(self) -> str:
        return self._document("ob2_jws", "")

    @property
    def ob3_credential(self) -> dict | None:
        return self._document("ob3_credential")

    @property
    def ob3_jwt(self) -> str:
        return self._document("ob3_jwt", "")


class AssertionDocuments(models.Model):
    """What signing produced for one assertion: the signed documents (the baked images are
    made from them when downloaded: ``badges.baked_images``).

    Kept off the ``Assertion`` row, which every list reads. ``ob2_body`` and ``ob3_body`` are
    the exact bytes the public endpoints answer with for the hosted OB 2.0 assertion (or its
    revocation notice) and the OB 3.0 credential, and ``ob2_etag``/``ob3_etag`` their ETags:
    written when the assertion is signed, revoked or erased (``refresh_published``), so a
    conditional request is answered without loading or hashing a document. An empty body
    means "build the answer from the documents".
    """

    assertion = models.OneToOneField(
        Assertion, primary_key=True, on_delete=models.CASCADE, related_name="documents"
    )
    ob2_assertion = models.JSONField(null=True, blank=True)
    ob2_jws = models.TextField(blank=True)
    ob3_credential = models.JSONField(null=True, blank=True)
    ob3_jwt = models.TextField(blank=True)
    ob2_body = models.BinaryField(null=True, blank=True)
    ob2_etag = models.CharField(max_length=80, blank=True)
    ob3_body = models.BinaryField(null=True, blank=True)
    ob3_etag = models.CharField(max_length=80, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("signed documents")
        verbose_name_plural = _("signed documents")

    def __str__(self) -> str:
        return f"documents of assertion {self.assertion_id}"

    def refresh_published(self, assertion: Assertion) -> None:
        """Recompute the stored public answers from the documents and ``assertion``'s status."""
        from .published import published_answers

        self.ob2_body, self.ob2_etag, self.ob3_body, self.ob3_etag = published_answers(
            assertion, ob2_assertion=self.ob2_assertion, ob3_credential=self.ob3_credential
        )


# --- awarding: bulk uploads and notifications (badges.awarding) ------------------------------


class BulkAward(models.Model):
    """A CSV upload that awards one badge class to many recipients.

    Its rows are staged and checked (the preview) before anything is awarded; a Celery task
    then creates the awards in batches and keeps the counters that the progress bar shows.
    """

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Columns to be mapped")
        PREVIEW = "preview", _("Ready to check")
        QUEUED = "queued", _("Waiting to be processed")
        PROCESSING = "processing", _("Being processed")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    badge_class = models.ForeignKey(
        BadgeClass, on_delete=models.PROTECT, related_name="bulk_awards"
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.UPLOADED, db_index=True
    )
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    # The decoded file, kept only until processing starts (columns can be mapped again).
    source = models.TextField(blank=True)
    delimiter = models.CharField(max_length=1, default=",")
    header = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(default=dict, blank=True)
    narrative = models.TextField(_("narrative for every recipient"), blank=True)
    scheduled_for = models.DateTimeField(_("award on"), null=True, blank=True)
    override_prerequisites = models.BooleanField(default=False)
    override_reason = models.TextField(blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    valid_rows = models.PositiveIntegerField(default=0)
    error_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_awards = models.PositiveIntegerField(default=0)
    skipped_rows = models.PositiveIntegerField(default=0)
    failure = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("bulk award")
        verbose_name_plural = _("bulk awards")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.badge_class}: {self.filename} ({self.status})"

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.PROCESSING)

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.CANCELLED)

    @property
    def percent(self) -> int:
        if not self.valid_rows:
            return 100 if self.is_finished else 0
        return min(100, int(self.processed_rows * 100 / self.valid_rows))


class BulkAwardRow(models.Model):
    """One line of a bulk upload, with what was wrong with it or the award it became."""

    class Status(models.TextChoices):
        VALID = "valid", _("Ready")
        INVALID = "invalid", _("Not awarded: error")
        CREATED = "created", _("Awarded")
        SKIPPED = "skipped", _("Skipped")

    bulk_award = models.ForeignKey(BulkAward, on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.VALID)
    email = models.CharField(max_length=320, blank=True)
    eppn = models.CharField(max_length=255, blank=True)
    name = models.CharField(max_length=255, blank=True)
    narrative = models.TextField(blank=True)
    evidence_url = models.CharField(max_length=2000, blank=True)
    grade = models.CharField(max_length=64, blank=True)
    language = models.CharField(max_length=2, blank=True)
    # [{"code": ..., "params": {...}}]: translated when shown, in the reader's language.
    errors = models.JSONField(default=list, blank=True)
    prerequisites_overridden = models.BooleanField(default=False)
    award = models.ForeignKey(
        Award, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("bulk award row")
        verbose_name_plural = _("bulk award rows")
        ordering = ["bulk_award", "line"]
        indexes = [models.Index(fields=["bulk_award", "status", "line"], name="bulk_row_status")]

    def __str__(self) -> str:
        return f"{self.bulk_award_id}:{self.line} ({self.status})"


class EndorsementQuerySet(models.QuerySet["Endorsement"]):
    def for_user(self, user) -> EndorsementQuerySet:
        """Endorsements a staff member may see: those their issuers gave, and those given to
        their badge classes and issuers."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(
            Q(endorser__in=Issuer.objects.for_user(user))
            | Q(badge_class__in=BadgeClass.objects.for_user(user))
            | Q(issuer__in=Issuer.objects.for_user(user))
        ).distinct()

    def published(self) -> EndorsementQuerySet:
        return self.filter(status=Endorsement.Status.ISSUED)


class Endorsement(models.Model):
    """An issuer of another institution, or an endorsing body's issuer profile, vouches for a
    badge class or an issuer of an institution, with a comment; the endorsed side's admins
    accept or decline it. Accepted, it is signed as an OB 2.0 Endorsement and an OB 3.0
    EndorsementCredential in the endorser's name; withdrawn, it is revoked."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("waiting for a decision")
        ACCEPTED = "accepted", _("accepted, being signed")
        ISSUED = "issued", _("accepted")
        DECLINED = "declined", _("declined")
        WITHDRAWN = "withdrawn", _("withdrawn")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    endorser = models.ForeignKey(
        Issuer,
        on_delete=models.PROTECT,
        related_name="endorsements_given",
        verbose_name=_("endorsed by"),
    )
    badge_class = models.ForeignKey(
        BadgeClass,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="endorsements",
        verbose_name=_("badge class"),
    )
    issuer = models.ForeignKey(
        Issuer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="endorsements",
        verbose_name=_("issuer"),
    )
    comment = models.TextField(_("comment"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.REQUESTED
    )
    decline_reason = models.TextField(_("reason"), blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawing"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    issued_on = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    ob2_endorsement = models.JSONField(null=True, blank=True, editable=False)
    ob2_jws = models.TextField(blank=True, editable=False)
    ob3_credential = models.JSONField(null=True, blank=True, editable=False)

    objects = EndorsementQuerySet.as_manager()

    class Meta:
        verbose_name = _("endorsement")
        verbose_name_plural = _("endorsements")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(badge_class__isnull=False, issuer__isnull=True)
                | Q(badge_class__isnull=True, issuer__isnull=False),
                name="endorsement_of_one_thing",
            )
        ]

    def __str__(self) -> str:
        return f"{self.endorser} → {self.target}"

    @property
    def target(self):
        return self.badge_class or self.issuer

    @property
    def target_issuer(self) -> Issuer:
        """The issuer whose admins decide: the endorsed issuer, or the badge class's."""
        return self.issuer if self.issuer_id else self.badge_class.issuer
