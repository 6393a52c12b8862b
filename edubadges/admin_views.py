"""Building blocks for the platform administration (``/admin/``).

The Django admin is a window, not a back door: what must be audited or notified is either
shown read-only here or changed through the same service as on the staff pages.
"""

from __future__ import annotations

from django.contrib import admin


class ViewOnlyAdmin(admin.ModelAdmin):
    """Records that only services write (statuses, identities, what students did)."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ViewOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


def model_fields(form) -> dict:
    """The cleaned values of the model fields a form edits (not its extra fields)."""
    names = {field.name for field in form._meta.model._meta.get_fields()}
    return {name: value for name, value in form.cleaned_data.items() if name in names}


def changed_fields(form) -> dict:
    return {
        name: form.cleaned_data[name] for name in form.changed_data if name in model_fields(form)
    }


def adopt(obj, saved) -> None:
    """Make the admin's unsaved ``obj`` the object a service created, so that the admin goes
    on (related objects, its log, the redirect) with the saved one."""
    obj.__dict__.update(saved.__dict__)
