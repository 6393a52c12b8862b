from django.contrib import admin

from .models import Alignment, Assertion, Award, BadgeClass, BulkAward, Enrollment, Notification


class AlignmentInline(admin.TabularInline):
    model = Alignment
    extra = 0


@admin.register(BadgeClass)
class BadgeClassAdmin(admin.ModelAdmin):
    list_display = ["__str__", "badge_type", "issuer", "archived"]
    list_filter = ["badge_type", "archived", "issuer__faculty__institution"]
    search_fields = ["name_nl", "name_en"]
    inlines = [AlignmentInline]
    filter_horizontal = ["prerequisites"]


@admin.register(Award)
class AwardAdmin(admin.ModelAdmin):
    list_display = ["badge_class", "recipient_email", "recipient_eppn", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["recipient_email", "recipient_eppn"]
    raw_id_fields = ["recipient", "created_by"]


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ["badge_class", "user", "status", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["user", "decided_by"]


@admin.register(Assertion)
class AssertionAdmin(admin.ModelAdmin):
    list_display = ["public_id", "badge_class", "status", "issued_on"]
    list_filter = ["status"]
    search_fields = ["public_id"]
    readonly_fields = ["ob2_assertion", "ob3_credential", "ob2_jws", "ob3_jwt"]
    exclude = ["baked_png", "baked_svg"]
    raw_id_fields = ["recipient", "award"]


@admin.register(BulkAward)
class BulkAwardAdmin(admin.ModelAdmin):
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
    readonly_fields = [
        "badge_class",
        "status",
        "filename",
        "total_rows",
        "valid_rows",
        "error_rows",
        "processed_rows",
        "created_awards",
        "skipped_rows",
        "failure",
        "created_by",
        "started_at",
        "finished_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["kind", "status", "key"]
    list_filter = ["kind", "status"]
    readonly_fields = ["key", "kind", "award", "assertion", "enrollment"]

    def has_add_permission(self, request) -> bool:
        return False
