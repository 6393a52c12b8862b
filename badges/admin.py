"""Badges in the platform administration: to look at. Badge classes are defined, awards made,
withdrawn and revoked on the staff pages, whose services check the rules, write the audit
trail and tell the recipient."""

from django.contrib import admin

from edubadges.admin_views import ViewOnlyAdmin, ViewOnlyInline

from .models import Alignment, Assertion, Award, BadgeClass, BulkAward, Endorsement, Enrollment


class AlignmentInline(ViewOnlyInline):
    model = Alignment


@admin.register(BadgeClass)
class BadgeClassAdmin(ViewOnlyAdmin):
    list_display = ["__str__", "badge_type", "issuer", "archived"]
    list_filter = ["badge_type", "archived", "issuer__faculty__institution"]
    search_fields = ["name_nl", "name_en"]
    inlines = [AlignmentInline]


@admin.register(Award)
class AwardAdmin(ViewOnlyAdmin):
    list_display = ["badge_class", "recipient_email", "recipient_eppn", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["recipient_email", "recipient_eppn"]
    exclude = ["claim_token"]


@admin.register(Enrollment)
class EnrollmentAdmin(ViewOnlyAdmin):
    list_display = ["badge_class", "user", "status", "created_at"]
    list_filter = ["status"]


@admin.register(Assertion)
class AssertionAdmin(ViewOnlyAdmin):
    list_display = ["public_id", "badge_class", "status", "issued_on"]
    list_filter = ["status"]
    search_fields = ["public_id"]
    exclude = ["salt"]


@admin.register(BulkAward)
class BulkAwardAdmin(ViewOnlyAdmin):
    list_display = [
        "badge_class",
        "status",
        "total_rows",
        "created_awards",
        "error_rows",
        "created_at",
    ]
    list_filter = ["status"]
    exclude = ["source"]


@admin.register(Endorsement)
class EndorsementAdmin(ViewOnlyAdmin):
    """Offered, decided and withdrawn on the staff pages (Endorsements), which sign and audit."""

    list_display = ["__str__", "status", "created_at", "issued_on"]
    list_filter = ["status"]
    exclude = ["ob2_endorsement", "ob2_jws", "ob3_credential"]
