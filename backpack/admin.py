from django.contrib import admin

from .models import Collection, ExternalBadge


@admin.register(Collection)
class CollectionAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "is_public", "created_at"]
    raw_id_fields = ["owner"]
    filter_horizontal = ["assertions"]


@admin.register(ExternalBadge)
class ExternalBadgeAdmin(admin.ModelAdmin):
    list_display = ["name", "issuer_name", "owner", "ob_format", "imported_at"]
    exclude = ["original", "image"]
    readonly_fields = ["credential", "verification"]
    raw_id_fields = ["owner"]
