from allauth.account.models import EmailAddress
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User

# One "Accounts" section: a user's email addresses (with their verification, which decides
# what offers and roles reach the account) are shown on the user, read-only.
if admin.site.is_registered(EmailAddress):
    admin.site.unregister(EmailAddress)


class EmailAddressInline(admin.TabularInline):
    model = EmailAddress
    extra = 0
    fields = ["email", "verified", "primary"]
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = _("email addresses")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [EmailAddressInline]
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active"]
    search_fields = ["email", "first_name", "last_name", "eppn"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "eppn", "preferred_language")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
