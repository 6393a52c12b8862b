from django.contrib import admin

from .models import ApiClient


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ["name", "institution", "token_prefix", "last_used_at", "revoked_at"]
    list_filter = ["institution"]
    readonly_fields = [
        "institution",
        "account",
        "token_prefix",
        "created_by",
        "created_at",
        "last_used_at",
    ]
    exclude = ["token_hash"]

    def has_add_permission(self, request) -> bool:
        # A client is created on the institution's staff pages, where its token is shown once.
        return False
