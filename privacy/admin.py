from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import (
    ConsentRecord,
    DataExport,
    Objection,
    PrivacyPolicy,
    PrivacyStatement,
)


class PrivacyStatementInline(admin.StackedInline):
    model = PrivacyStatement
    extra = 1
    fields = [
        "version",
        "effective_date",
        "retention_days",
        "excerpt_nl",
        "excerpt_en",
        "text_nl",
        "text_en",
        "change_summary_nl",
        "change_summary_en",
        "preview",
    ]
    readonly_fields = ["preview"]

    @admin.display(description=_("preview"))
    def preview(self, obj: PrivacyStatement) -> str:
        if not obj.pk:
            return _("Save first; then see it as students do.")
        url = reverse("privacy:staff_statement", args=[obj.policy.institution_id, obj.pk])
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            url,
            _("See it in Dutch and English as students do"),
        )


@admin.register(PrivacyPolicy)
class PrivacyPolicyAdmin(admin.ModelAdmin):
    list_display = ["institution", "badge_type", "legal_basis", "issue_directly_on_award"]
    list_filter = ["badge_type", "legal_basis", "institution"]
    inlines = [PrivacyStatementInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records of what students did: evidence, so nobody edits them by hand."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyAdmin):
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
class ObjectionAdmin(ReadOnlyAdmin):
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
class DataExportAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "status", "size", "expires_at", "downloaded_at"]
    list_filter = ["status"]
    exclude = ["content"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("content")
