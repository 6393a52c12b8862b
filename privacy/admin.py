"""Privacy in the platform administration. Legal bases and statements are saved through the
same services as on the institution admins' staff pages (audited; published statement
versions never change); what students did is shown, never edited."""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from edubadges.admin_views import ViewOnlyAdmin, adopt

from .models import ConsentRecord, DataExport, Objection, PrivacyPolicy, PrivacyStatement
from .services.policies import privacy_policy_save, privacy_statement_publish, statement_errors

STATEMENT_FIELDS = [
    "effective_date",
    "retention_days",
    "excerpt_nl",
    "excerpt_en",
    "text_nl",
    "text_en",
    "change_summary_nl",
    "change_summary_en",
]


class NewStatementForm(forms.ModelForm):
    class Meta:
        model = PrivacyStatement
        fields = STATEMENT_FIELDS

    def clean(self):
        cleaned = super().clean()
        if self.has_changed() and cleaned.get("effective_date"):
            policy_id = self.instance.policy_id
            previous = (
                PrivacyStatement.objects.filter(policy_id=policy_id).order_by("-version").first()
                if policy_id
                else None
            )
            for field, message in statement_errors(
                previous=previous,
                effective_date=cleaned["effective_date"],
                change_summary_nl=cleaned.get("change_summary_nl", ""),
                change_summary_en=cleaned.get("change_summary_en", ""),
            ).items():
                self.add_error(field, message)
        return cleaned


class NewStatementInline(admin.StackedInline):
    """Publish the next version; the version number follows from the ones before."""

    model = PrivacyStatement
    form = NewStatementForm
    extra = 1
    max_num = 1
    can_delete = False
    fields = STATEMENT_FIELDS
    verbose_name = _("new version of the privacy statement")
    verbose_name_plural = _("publish a new version")

    def get_queryset(self, request):
        return super().get_queryset(request).none()


class PrivacyPolicyForm(forms.ModelForm):
    class Meta:
        model = PrivacyPolicy
        fields = [
            "institution",
            "badge_type",
            "legal_basis",
            "purpose_nl",
            "purpose_en",
            "issue_directly_on_award",
        ]

    def clean(self):
        cleaned = super().clean()
        institution = cleaned.get("institution") or getattr(self.instance, "institution", None)
        badge_type = cleaned.get("badge_type") or self.instance.badge_type
        if institution is not None and badge_type and not institution.has_badge_type(badge_type):
            self.add_error(None, _("This badge type is not enabled for the institution."))
        return cleaned


@admin.register(PrivacyPolicy)
class PrivacyPolicyAdmin(admin.ModelAdmin):
    form = PrivacyPolicyForm
    list_display = ["institution", "badge_type", "legal_basis", "issue_directly_on_award"]
    list_filter = ["badge_type", "legal_basis", "institution"]
    inlines = [NewStatementInline]

    def get_readonly_fields(self, request, obj=None):
        return ["institution", "badge_type", "published_versions"] if obj is not None else []

    @admin.display(description=_("published versions (they never change)"))
    def published_versions(self, obj: PrivacyPolicy) -> str:
        statements = obj.statements.order_by("-version")
        if not statements:
            return "–"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li>{} {} ({}) · <a href="{}" target="_blank" rel="noopener">{}</a></li>',
                (
                    (
                        _("version"),
                        statement.version,
                        date_format(statement.effective_date),
                        reverse("privacy:staff_statement", args=[obj.institution_id, statement.pk]),
                        _("See it in Dutch and English as students do"),
                    )
                    for statement in statements
                ),
            ),
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        data = form.cleaned_data
        adopt(
            obj,
            privacy_policy_save(
                actor=request.user,
                institution=obj.institution,
                badge_type=obj.badge_type,
                legal_basis=data["legal_basis"],
                purpose_nl=data.get("purpose_nl", ""),
                purpose_en=data.get("purpose_en", ""),
                issue_directly_on_award=data.get("issue_directly_on_award", False),
            ),
        )

    def save_formset(self, request, form, formset, change) -> None:
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if formset.model is not PrivacyStatement:
            return
        for statement_form in formset.forms:
            if not statement_form.has_changed():
                continue
            formset.new_objects.append(
                privacy_statement_publish(
                    actor=request.user,
                    policy=form.instance,
                    **{name: statement_form.cleaned_data[name] for name in STATEMENT_FIELDS},
                )
            )


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ViewOnlyAdmin):
    list_display = [
        "created_at",
        "user",
        "institution",
        "badge_type",
        "kind",
        "version",
        "withdrawn_at",
    ]
    list_filter = ["kind", "badge_type", "legal_basis", "institution"]
    list_select_related = ["user", "institution", "statement"]
    date_hierarchy = "created_at"

    @admin.display(description=_("version"))
    def version(self, obj: ConsentRecord) -> int:
        return obj.statement.version


@admin.register(Objection)
class ObjectionAdmin(ViewOnlyAdmin):
    list_display = [
        "created_at",
        "user",
        "institution",
        "badge_type",
        "legal_basis",
        "institution_notified_at",
    ]
    list_filter = ["badge_type", "legal_basis", "institution"]
    list_select_related = ["user", "institution"]


@admin.register(DataExport)
class DataExportAdmin(ViewOnlyAdmin):
    list_display = ["created_at", "user", "status", "size", "expires_at", "downloaded_at"]
    list_filter = ["status"]
    exclude = ["content"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("content")
