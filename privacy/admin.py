from django.contrib import admin

from .models import PrivacyPolicy, PrivacyStatement


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
    ]


@admin.register(PrivacyPolicy)
class PrivacyPolicyAdmin(admin.ModelAdmin):
    list_display = ["institution", "badge_type", "legal_basis", "issue_directly_on_award"]
    list_filter = ["badge_type", "legal_basis", "institution"]
    inlines = [PrivacyStatementInline]
