from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from edubadges.admin_views import ViewOnlyAdmin

from . import services
from .models import ApiClient


@admin.register(ApiClient)
class ApiClientAdmin(ViewOnlyAdmin):
    """Clients are created on the institution's staff pages, where the token is shown once;
    here a platform admin can revoke one, through the same (audited) service."""

    list_display = ["name", "institution", "token_prefix", "last_used_at", "revoked_at"]
    list_filter = ["institution"]
    exclude = ["token_hash"]
    actions = ["revoke"]

    @admin.action(description=_("Revoke the selected API clients"))
    def revoke(self, request, queryset) -> None:
        clients = list(queryset.filter(revoked_at__isnull=True))
        for client in clients:
            services.api_client_revoke(actor=request.user, client=client)
        self.message_user(
            request,
            ngettext(
                "%(count)d client was revoked.", "%(count)d clients were revoked.", len(clients)
            )
            % {"count": len(clients)},
            messages.SUCCESS,
        )
