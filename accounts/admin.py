import copy
import functools

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from allauth.usersessions.models import UserSession
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.utils.translation import gettext_lazy as _

from issuers.audit import audit_log

from . import services
from .models import InstitutionIdentity, User

# One "Accounts" section: what proves who a user is (email addresses and their verification,
# SURFconext/eduID sign-ins and the institution identities they vouched for, second factors)
# is shown on the user, read-only: it changes only by the person's own sign-in and
# confirmation. Apps for SURFconext and eduID are configured by environment variables.
for model in (EmailAddress, SocialAccount, SocialApp, SocialToken, Authenticator, UserSession):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class EmailAddressInline(ReadOnlyInline):
    model = EmailAddress
    fields = ["email", "verified", "primary"]
    verbose_name_plural = _("email addresses")


class SocialAccountInline(ReadOnlyInline):
    model = SocialAccount
    fields = ["provider", "uid", "last_login", "date_joined"]
    verbose_name_plural = _("SURFconext and eduID sign-ins")


class InstitutionIdentityInline(ReadOnlyInline):
    model = InstitutionIdentity
    fields = ["eppn", "schac_home", "source", "first_seen_at", "last_seen_at"]


class AuthenticatorInline(ReadOnlyInline):
    model = Authenticator
    fields = ["type", "created_at", "last_used_at"]
    verbose_name_plural = _("two-factor authentication")


PASSWORD_FIELDS = {"password", "password1", "password2"}


class AuditedPasswordForm(AdminPasswordChangeForm):
    """The admin's "Change password" form, saved through the audited service."""

    def __init__(self, user, *args, actor, **kwargs) -> None:
        super().__init__(user, *args, **kwargs)
        self.actor = actor

    def save(self, commit: bool = True):
        usable = self.cleaned_data["set_usable_password"]
        return services.user_password_set(
            actor=self.actor,
            user=self.user,
            password=self.cleaned_data["password1"] if usable else None,
        )


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [
        EmailAddressInline,
        SocialAccountInline,
        InstitutionIdentityInline,
        AuthenticatorInline,
    ]
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active"]
    search_fields = ["email", "first_name", "last_name", "eppn", "institution_identities__eppn"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "eppn", "preferred_language")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    def user_change_password(self, request, id, form_url=""):
        """Django's password page, whose form sets the password as the signed-in admin. The
        admin object serves every request at once, so the form is bound to this request's
        admin on a copy."""
        for_this_request = copy.copy(self)
        for_this_request.change_password_form = functools.partial(
            AuditedPasswordForm, actor=request.user
        )
        return super(UserAdmin, for_this_request).user_change_password(request, id, form_url)

    def save_model(self, request, obj, form, change) -> None:
        """Accounts and platform-admin rights changed here are audited (which fields, not
        their values: the trail keeps no passwords or addresses)."""
        super().save_model(request, obj, form, change)
        changed = sorted(name for name in form.changed_data if name not in PASSWORD_FIELDS)
        if change and not changed:
            return
        audit_log(
            actor=request.user,
            action="account_change" if change else "account_create",
            obj=obj,
            summary="",
            data={"fields": changed},
        )
