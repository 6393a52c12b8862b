from django.contrib import admin, messages
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from oauth2_provider.models import (
    get_access_token_model,
    get_application_model,
    get_grant_model,
    get_id_token_model,
    get_refresh_token_model,
)

from edubadges.admin_views import ViewOnlyAdmin

from . import services
from .models import ApiClient, ClientRegistration
from .ob3 import services as ob3_services


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


# Clients of the Open Badges API register themselves and students authorise them: the admin
# shows them and can remove one (with every permission students gave it) through the audited
# service, and edits nothing a student agreed to. Tokens stay out of sight.
for model in (
    get_application_model(),
    get_access_token_model(),
    get_refresh_token_model(),
    get_grant_model(),
    get_id_token_model(),
):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(ClientRegistration)
class ClientRegistrationAdmin(ViewOnlyAdmin):
    list_display = ["__str__", "client_uri", "software_id", "connected_students", "created_at"]
    search_fields = ["application__name", "client_uri", "software_id"]
    fields = [
        "client_name",
        "client_id",
        "client_uri",
        "logo_uri",
        "tos_uri",
        "policy_uri",
        "software_id",
        "software_version",
        "redirect_uris",
        "scope",
        "contacts",
        "created_at",
    ]
    readonly_fields = fields
    actions = ["remove"]

    def get_queryset(self, request):
        live = Q(application__accesstoken__expires__gt=timezone.now()) | Q(
            application__accesstoken__refresh_token__revoked__isnull=True
        )
        return (
            super()
            .get_queryset(request)
            .select_related("application")
            .annotate(students=Count("application__accesstoken__user", filter=live, distinct=True))
        )

    @admin.display(description=_("connected students"))
    def connected_students(self, registration) -> int:
        return registration.students

    @admin.display(description=_("name"))
    def client_name(self, registration) -> str:
        return registration.application.name

    @admin.display(description=_("client id"))
    def client_id(self, registration) -> str:
        return registration.application.client_id

    @admin.display(description=_("redirect URIs"))
    def redirect_uris(self, registration) -> str:
        return registration.application.redirect_uris

    @admin.action(
        description=_("Remove the selected clients and every permission students gave them")
    )
    def remove(self, request, queryset) -> None:
        registrations = list(queryset.select_related("application"))
        for registration in registrations:
            ob3_services.client_remove(actor=request.user, application=registration.application)
        self.message_user(
            request,
            ngettext(
                "%(count)d client was removed.",
                "%(count)d clients were removed.",
                len(registrations),
            )
            % {"count": len(registrations)},
            messages.SUCCESS,
        )
