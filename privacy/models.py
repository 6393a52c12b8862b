from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
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
    def current_statement(self) -> PrivacyStatement | None:
        return (
            self.statements.filter(effective_date__lte=timezone.localdate())
            .order_by("-effective_date", "-version")
            .first()
        )

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.issue_directly_on_award and self.legal_basis == LegalBasis.CONSENT:
            raise ValidationError(
                {
                    "issue_directly_on_award": _(
                        "Badges under consent always wait for the student's claim."
                    )
                }
            )


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

    class Meta:
        verbose_name = _("privacy statement")
        verbose_name_plural = _("privacy statements")
        ordering = ["policy", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "version"], name="one_statement_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.policy} v{self.version}"
