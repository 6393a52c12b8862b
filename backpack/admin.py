"""Students' backpacks in the platform administration: to look at, never to edit (what is
public is the student's choice)."""

from django.contrib import admin

from edubadges.admin_views import ViewOnlyAdmin

from .models import Collection, ExternalBadge


@admin.register(Collection)
class CollectionAdmin(ViewOnlyAdmin):
    list_display = ["name", "owner", "is_public", "created_at"]


@admin.register(ExternalBadge)
class ExternalBadgeAdmin(ViewOnlyAdmin):
    list_display = ["name", "issuer_name", "owner", "ob_format", "imported_at"]
    exclude = ["original", "image"]
