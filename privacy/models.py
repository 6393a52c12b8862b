"""Privacy (AVG/GDPR) per institution × badge type.

- ``PrivacyPolicy``: the legal basis an institution uses for one badge type;
- ``PrivacyStatement``: the versioned statement students read (Dutch and English);
- ``ConsentRecord``: a student's consent or acknowledgement of one statement version;
- ``Objection``: an objection (GDPR art. 21) where the basis is public task or legitimate
  interest;
- ``DataExport``: a student's download of all their personal data;
- ``PrivacyAction``: every consent, acknowledgement, withdrawal, objection, export and
  erasure is an entry of the audit trail (``issuers.audit``), written in the same transaction.

Apps that hold personal data plug in through ``privacy.registry``; this app imports none of
them.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from issuers.badge_types import BadgeType
from issuers.models import BilingualMixin, Institution


class LegalBasis(models.TextChoices):
    """GDPR article 6(1) grounds that apply to issuing badges."""

    CONSENT = "a", _("(a) Consent")
    CONTRACT = "b", _("(b) Performance of a contract")
    LEGAL_OBLIGATION = "c", _("(c) Legal obligation")
    PUBLIC_TASK = "e", _("(e) Public task")
    LEGITIMATE_INTEREST = "f", _("(f) Legitimate interest")


# Where the student may object to the processing (GDPR art. 21(1)).
OBJECTABLE_BASES = frozenset({LegalBasis.PUBLIC_TASK, LegalBasis.LEGITIMATE_INTEREST})


class PrivacyPolicyQuerySet(models.QuerySet["PrivacyPolicy"]):
    def for_type(self, institution: Institution, badge_type: str) -> PrivacyPolicy | None:
        return self.filter(institution=institution, badge_type=badge_type).first()


class PrivacyPolicy(models.Model):
    """The legal basis an institution uses for one badge type."""

    institution = models.ForeignKey(
        Institution,
        on_delete=models.CASCADE,
        related_name="privacy_policies",
        verbose_name=_("institution"),
    )
    badge_type = models.CharField(_("badge type"), max_length=32, choices=BadgeType.choices)
    legal_basis = models.CharField(_("legal basis"), max_length=1, choices=LegalBasis.choices)
    purpose_nl = models.TextField(_("purpose (Dutch)"), blank=True)
    purpose_en = models.TextField(_("purpose (English)"), blank=True)
    issue_directly_on_award = models.BooleanField(
        _("issue directly on award"),
        default=False,
        help_text=_(
            "Only where the legal basis is not consent: awarded badges go straight to the student."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = PrivacyPolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("legal basis per badge type")
        verbose_name_plural = _("legal bases per badge type")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "badge_type"], name="one_policy_per_type"
            )
        ]

    def __str__(self) -> str:
        return f"{self.institution} – {self.get_badge_type_display()}: {self.get_legal_basis_display()}"

    @property
    def requires_consent(self) -> bool:
        return self.legal_basis == LegalBasis.CONSENT

    @property
    def allows_objection(self) -> bool:
        return self.legal_basis in OBJECTABLE_BASES

    @property
    def purpose(self) -> str:
        language = (get_language() or "nl")[:2]
        preferred = self.purpose_en if language == "en" else self.purpose_nl
        return preferred or self.purpose_nl or self.purpose_en

    @property
    def current_statement(self) -> PrivacyStatement | None:
        return (
            self.statements.filter(effective_date__lte=timezone.localdate())
            .order_by("-effective_date", "-version")
            .first()
        )

    def clean(self) -> None:
        if self.issue_directly_on_award and self.legal_basis == LegalBasis.CONSENT:
            raise ValidationError(
                {
                    "issue_directly_on_award": _(
                        "Badges under consent always wait for the student's claim."
                    )
                }
            )


class PrivacyStatementQuerySet(models.QuerySet["PrivacyStatement"]):
    def in_effect(self) -> PrivacyStatementQuerySet:
        return self.filter(effective_date__lte=timezone.localdate())

    def current_for(self, institution: Institution, badge_type: str) -> PrivacyStatement | None:
        """The version students see today for ``institution`` × ``badge_type``."""
        return (
            self.in_effect()
            .filter(policy__institution=institution, policy__badge_type=badge_type)
            .select_related("policy__institution")
            .order_by("-effective_date", "-version")
            .first()
        )


# Fields a statement cannot change once someone has agreed to it: the record must keep
# pointing at exactly the text that was agreed to.
AGREED_TEXT_FIELDS = ("text_nl", "text_en", "excerpt_nl", "excerpt_en", "version")


class PrivacyStatement(BilingualMixin, models.Model):
    """One version of the privacy statement shown for a badge type."""

    policy = models.ForeignKey(PrivacyPolicy, on_delete=models.CASCADE, related_name="statements")
    version = models.PositiveIntegerField(_("version"))
    text_nl = models.TextField(_("full text (Dutch)"))
    text_en = models.TextField(_("full text (English)"))
    excerpt_nl = models.TextField(_("excerpt (Dutch)"))
    excerpt_en = models.TextField(_("excerpt (English)"))
    effective_date = models.DateField(_("effective date"), default=timezone.localdate)
    retention_days = models.PositiveIntegerField(
        _("retention (days)"),
        default=365 * 7,
        help_text=_("How long personal data of this badge type is kept."),
    )
    change_summary_nl = models.TextField(_("what changed (Dutch)"), blank=True)
    change_summary_en = models.TextField(_("what changed (English)"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PrivacyStatementQuerySet.as_manager()

    class Meta:
        verbose_name = _("privacy statement")
        verbose_name_plural = _("privacy statements")
        ordering = ["policy", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "version"], name="one_statement_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.policy} v{self.version}"

    @property
    def text(self) -> str:
        return self.translated("text")

    @property
    def excerpt(self) -> str:
        return self.translated("excerpt")

    @property
    def change_summary(self) -> str:
        return self.translated("change_summary")

    @property
    def is_in_effect(self) -> bool:
        return self.effective_date <= timezone.localdate()

    @property
    def retention_display(self) -> str:
        days = self.retention_days
        if days and days % 365 == 0:
            years = days // 365
            return ngettext("%(count)d year", "%(count)d years", years) % {"count": years}
        return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}

    def clean(self) -> None:
        if not self.pk or not self.records.exists():
            return
        stored = type(self).objects.get(pk=self.pk)
        changed = [
            name for name in AGREED_TEXT_FIELDS if getattr(stored, name) != getattr(self, name)
        ]
        if changed:
            raise ValidationError(
                {
                    name: _("Students have agreed to this version; publish a new version instead.")
                    for name in changed
                }
            )


class RecordKind(models.TextChoices):
    CONSENT = "consent", _("Consent")
    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement")


class ConsentRecordQuerySet(models.QuerySet["ConsentRecord"]):
    def active(self) -> ConsentRecordQuerySet:
        return self.filter(withdrawn_at__isnull=True)

    def for_type(self, institution: Institution, badge_type: str) -> ConsentRecordQuerySet:
        return self.filter(institution=institution, badge_type=badge_type)


class ConsentRecord(models.Model):
    """A student's consent to, or acknowledgement of, one version of a privacy statement."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="privacy_records",
        verbose_name=_("student"),
    )
    statement = models.ForeignKey(
        PrivacyStatement,
        on_delete=models.RESTRICT,
        related_name="records",
        verbose_name=_("privacy statement"),
    )
    # Copied from the statement's policy: the record says what applied when it was made.
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="+", verbose_name=_("institution")
    )
    badge_type = models.CharField(_("badge type"), max_length=32, choices=BadgeType.choices)
    legal_basis = models.CharField(_("legal basis"), max_length=1, choices=LegalBasis.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=RecordKind.choices)
    created_at = models.DateTimeField(_("given at"), default=timezone.now, db_index=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    objects = ConsentRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent or acknowledgement")
        verbose_name_plural = _("consents and acknowledgements")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "institution", "badge_type"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.statement.version} ({self.created_at:%Y-%m-%d})"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class Objection(models.Model):
    """A student's objection (GDPR art. 21) to processing based on a public task or a
    legitimate interest. The institution's admins are told by email."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="privacy_objections",
        verbose_name=_("student"),
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.CASCADE,
        related_name="privacy_objections",
        verbose_name=_("institution"),
    )
    badge_type = models.CharField(_("badge type"), max_length=32, choices=BadgeType.choices)
    statement = models.ForeignKey(
        PrivacyStatement,
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="objections",
        verbose_name=_("privacy statement"),
    )
    legal_basis = models.CharField(_("legal basis"), max_length=1, choices=LegalBasis.choices)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("made at"), default=timezone.now, db_index=True)
    institution_notified_at = models.DateTimeField(null=True, blank=True)

    # Emails about it waiting in the outbox go with it.
    notifications = GenericRelation(
        "notifications.Notification",
        content_type_field="target_type",
        object_id_field="target_id",
    )

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.institution} – {self.get_badge_type_display()} ({self.created_at:%Y-%m-%d})"


class DataExport(models.Model):
    """A zip of all of a student's personal data, built by a Celery task and downloadable
    by that student only, until it expires and the retention job removes it.

    The zip is kept in the database rather than in MEDIA_ROOT, which may be served publicly.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        BUILDING = "building", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="privacy_exports"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    content = models.BinaryField(null=True, blank=True, editable=False)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)

    # Emails about it waiting in the outbox go with it.
    notifications = GenericRelation(
        "notifications.Notification",
        content_type_field="target_type",
        object_id_field="target_id",
    )

    class Meta:
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.public_id} ({self.status})"

    @property
    def is_downloadable(self) -> bool:
        return (
            self.status == self.Status.READY
            and self.expires_at is not None
            and self.expires_at > timezone.now()
        )

    @property
    def is_in_progress(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.BUILDING)


class PrivacyAction(models.TextChoices):
    """The privacy events of the audit trail (``issuers.AuditEntry``), about ``subject``.
    Their details hold counts, codes and the statement version, never names or addresses."""

    CONSENT_GIVEN = "consent_given", _("Consent given")
    ACKNOWLEDGED = "acknowledged", _("Statement acknowledged")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
    OBJECTION_MADE = "objection_made", _("Objection made")
    OBJECTION_NOTIFIED = "objection_notified", _("Institution told of objection")
    EXPORT_REQUESTED = "export_requested", _("Data export requested")
    EXPORT_READY = "export_ready", _("Data export ready")
    EXPORT_DOWNLOADED = "export_downloaded", _("Data export downloaded")
    ACCOUNT_ERASED = "account_erased", _("Account erased")
    POLICY_SAVED = "policy_saved", _("Legal basis saved")
    STATEMENT_PUBLISHED = "statement_published", _("Privacy statement published")
    RETENTION_PURGE = "retention_purge", _("Retention: data removed")
