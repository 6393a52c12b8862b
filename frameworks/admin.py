"""Frameworks in the platform administration: to look at. Platform admins keep the
platform's frameworks on the staff pages (Competency frameworks), whose services write the
audit trail."""

from django.contrib import admin

from edubadges.admin_views import ViewOnlyAdmin, ViewOnlyInline

from .models import CompetencyFramework, FrameworkItem


class FrameworkItemInline(ViewOnlyInline):
    model = FrameworkItem


@admin.register(CompetencyFramework)
class CompetencyFrameworkAdmin(ViewOnlyAdmin):
    list_display = ["__str__", "publisher", "institution", "shared"]
    list_filter = ["shared", "institution"]
    search_fields = ["name_nl", "name_en", "publisher"]
    inlines = [FrameworkItemInline]
