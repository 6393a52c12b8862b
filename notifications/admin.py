from django.contrib import admin

from edubadges.admin_views import ViewOnlyAdmin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(ViewOnlyAdmin):
    list_display = ["created_at", "label", "status", "target_type", "target_id", "sent_at"]
    list_filter = ["kind", "status"]
