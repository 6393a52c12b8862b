from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from edubadges.admin_views import (
    ViewOnlyAdmin,
    ViewOnlyInline,
    adopt,
    changed_fields,
    model_fields,
)
from notifications.models import Notification

from . import onboarding, services, signing
from .badge_types import BadgeType
from .models import (
    AuditEntry,
    EndorsingBody,
    Faculty,
    Institution,
    Invitation,
    Issuer,
    Membership,
    SigningKey,
)


class InstitutionAdminForm(forms.ModelForm):
    enabled_badge_types = forms.MultipleChoiceField(
        label=_("enabled badge types"),
        choices=BadgeType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Institution
        fields = [
            "sector",
            "schac_home",
            "brin",
            "country",
            "website",
            "name_nl",
            "name_en",
            "description_nl",
            "description_en",
            "logo",
            "enabled_badge_types",
            "eppn_pattern",
            "linkedin_organisation_id",
        ]


class FacultyInline(ViewOnlyInline):
    """Faculties are added and renamed by the institution's admins on their staff pages."""

    model = Faculty
    fields = ["name_nl", "name_en"]
    readonly_fields = fields
    show_change_link = True


class InvitationInline(admin.TabularInline):
    model = Invitation
    extra = 1
    fields = ["email", "eppn", "role", "expires_at", "accepted_at"]
    readonly_fields = ["expires_at", "accepted_at"]
    verbose_name = _("invitation for an institution admin")
    verbose_name_plural = _("invite institution admins by email or eppn")

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    form = InstitutionAdminForm
    list_display = ["__str__", "sector", "schac_home", "badge_types", "ready"]
    list_filter = ["sector"]
    search_fields = ["name_nl", "name_en", "schac_home", "brin"]
    readonly_fields = ["onboarding_checklist"]
    inlines = [FacultyInline, InvitationInline]
    fieldsets = [
        (_("Onboarding"), {"fields": ["onboarding_checklist"]}),
        (None, {"fields": ["sector", "schac_home", "brin", "country", "website"]}),
        (_("Sign-in"), {"fields": ["staff_password_login"]}),
        (
            _("Names and descriptions"),
            {"fields": ["name_nl", "name_en", "description_nl", "description_en", "logo"]},
        ),
        (
            _("Badges"),
            {"fields": ["enabled_badge_types", "eppn_pattern", "linkedin_organisation_id"]},
        ),
    ]

    @admin.display(description=_("badge types"))
    def badge_types(self, obj: Institution) -> str:
        return ", ".join(str(label) for _value, label in obj.enabled_badge_type_choices) or "–"

    @admin.display(description=_("ready to issue"), boolean=True)
    def ready(self, obj: Institution) -> bool:
        return not onboarding.missing(obj)

    @admin.display(description=_("checklist"))
    def onboarding_checklist(self, obj: Institution | None) -> str:
        if obj is None or obj.pk is None:
            return _("Save the institution to see what is still missing.")
        items = [
            format_html(
                '<li class="{}">{} {}</li>',
                "done" if item.done else "missing",
                "✔" if item.done else "✘",
                format_html('<a href="{}">{}</a>', item.admin_url, item.text)
                if item.admin_url and not item.done
                else item.text,
            )
            for item in onboarding.checklist(obj)
        ]
        return format_html(
            '<ul class="onboarding-checklist">{}</ul>',
            format_html_join("", "{}", ((item,) for item in items)),
        )

    def save_formset(self, request, form, formset, change):
        if formset.model is not Invitation:
            return super().save_formset(request, form, formset, change)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            if not inline_form.has_changed() or inline_form.instance.pk:
                continue
            if inline_form.cleaned_data.get("DELETE"):
                continue
            invitation = services.invitation_create(
                actor=request.user,
                email=inline_form.cleaned_data.get("email") or "",
                eppn=inline_form.cleaned_data.get("eppn") or "",
                role=inline_form.cleaned_data["role"],
                institution=form.instance,
            )
            formset.new_objects.append(invitation)
        for deleted_form in formset.deleted_forms:
            if deleted_form.instance.pk:
                formset.deleted_objects.append(deleted_form.instance)
                services.invitation_withdraw(actor=request.user, invitation=deleted_form.instance)

    def get_queryset(self, request):
        return super().get_queryset(request).education()

    def save_model(self, request, obj, form, change) -> None:
        """Through the same services as the staff pages, so the change is audited."""
        if change:
            services.institution_update(actor=request.user, institution=obj, **changed_fields(form))
        else:
            adopt(obj, services.institution_create(actor=request.user, **model_fields(form)))


class EndorsingBodyAdminForm(forms.ModelForm):
    email = forms.EmailField(
        label=_("contact email"),
        help_text=_("Named in the body's endorsements, as an issuer's contact address is."),
    )

    class Meta:
        model = EndorsingBody
        fields = [
            "schac_home",
            "country",
            "website",
            "name_nl",
            "name_en",
            "description_nl",
            "description_en",
            "logo",
        ]
        labels = {"schac_home": _("domain")}
        help_texts = {"schac_home": _("The body's internet domain, e.g. beroepsvereniging.nl.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.kind = Institution.Kind.ENDORSING_BODY
        if self.instance.pk:
            self.fields["email"].initial = services.endorsing_body_profile(self.instance).email


class EndorsingBodyInvitationInline(InvitationInline):
    verbose_name = _("invitation for someone who endorses in the body's name")
    verbose_name_plural = _("invite the body's admins (they endorse) by email")
    fields = ["email", "role", "expires_at", "accepted_at"]


@admin.register(EndorsingBody)
class EndorsingBodyAdmin(InstitutionAdmin):
    """Professional associations, employer federations, ministries: bodies that endorse the
    badges and issuers of institutions. Registered here with the issuer profile and keys their
    endorsements are signed with; their admins are invited as an institution's are."""

    form = EndorsingBodyAdminForm
    list_display = ["__str__", "schac_home", "website", "ready"]
    list_filter = []
    search_fields = ["name_nl", "name_en", "schac_home"]
    inlines = [EndorsingBodyInvitationInline]
    fieldsets = [
        (_("Onboarding"), {"fields": ["onboarding_checklist"]}),
        (None, {"fields": ["schac_home", "country", "website", "email"]}),
        (
            _("Names and descriptions"),
            {"fields": ["name_nl", "name_en", "description_nl", "description_en", "logo"]},
        ),
    ]

    @admin.display(description=_("ready to endorse"), boolean=True)
    def ready(self, obj: Institution) -> bool:
        return not onboarding.missing(obj)

    def get_queryset(self, request):
        return admin.ModelAdmin.get_queryset(self, request).endorsing_bodies()

    def save_model(self, request, obj, form, change) -> None:
        email = form.cleaned_data["email"]
        if change:
            fields = changed_fields(form)
            services.endorsing_body_update(
                actor=request.user,
                body=obj,
                email=email if "email" in form.changed_data else "",
                **fields,
            )
        else:
            adopt(
                obj,
                services.endorsing_body_register(
                    actor=request.user, email=email, **model_fields(form)
                ),
            )


@admin.register(Faculty)
class FacultyAdmin(admin.ModelAdmin):
    """Added and changed through the same services as on the staff pages (audited); a
    faculty stays in its institution."""

    list_display = ["__str__", "institution"]
    list_filter = ["institution"]
    search_fields = ["name_nl", "name_en"]

    def get_readonly_fields(self, request, obj=None):
        return ["institution"] if obj is not None else []

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        if change:
            services.faculty_update(actor=request.user, faculty=obj, **changed_fields(form))
        else:
            fields = model_fields(form)
            institution = fields.pop("institution")
            adopt(
                obj,
                services.faculty_create(actor=request.user, institution=institution, **fields),
            )


class SigningKeyInline(admin.TabularInline):
    model = SigningKey
    extra = 0
    fields = ["algorithm", "public_id", "created_at", "retired_at", "compromised_at"]
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = _("signing keys (retired keys stay published)")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Issuer)
class IssuerAdmin(admin.ModelAdmin):
    """Added and changed through the same services as on the staff pages (audited); an
    issuer stays in its institution. Here the platform admin also rotates their keys."""

    list_display = ["__str__", "faculty", "email"]
    list_filter = ["faculty__institution"]
    search_fields = ["name_nl", "name_en", "email"]
    inlines = [SigningKeyInline]
    actions = ["rotate_signing_keys", "compromised_signing_keys"]

    @admin.action(
        description=_("Retire signing keys: new keys sign from now on; old badges stay valid")
    )
    def rotate_signing_keys(self, request, queryset) -> None:
        for issuer in queryset:
            signing.signing_keys_rotate(actor=request.user, issuer=issuer)
        self.message_user(
            request,
            _("New signing keys were created for %(count)d issuers.") % {"count": len(queryset)},
        )

    @admin.action(
        description=_(
            "Signing keys compromised: distrust what they signed from a moment on, "
            "and create new keys"
        )
    )
    def compromised_signing_keys(self, request, queryset):
        form = KeyCompromiseForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            moment = form.cleaned_data["compromised_at"]
            try:
                for issuer in queryset:
                    signing.signing_keys_compromise(
                        actor=request.user, issuer=issuer, compromised_at=moment
                    )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    _(
                        "The keys of %(count)d issuers are distrusted from %(moment)s on; "
                        "new keys were created."
                    )
                    % {"count": len(queryset), "moment": moment},
                )
                return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Signing keys compromised"),
            "form": form,
            "issuers": queryset,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/issuers/compromised_signing_keys.html", context)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        if obj.faculty.institution.is_endorsing_body:
            # The body's own name, description, website and logo: changed on the body.
            return ["faculty", *services.BODY_PROFILE_FIELDS.values()]
        return ["faculty"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        if change:
            services.issuer_update(actor=request.user, issuer=obj, **changed_fields(form))
        else:
            fields = model_fields(form)
            faculty = fields.pop("faculty")
            adopt(obj, services.issuer_create(actor=request.user, faculty=faculty, **fields))


class KeyCompromiseForm(forms.Form):
    compromised_at = forms.DateTimeField(
        label=_("Compromised since"),
        initial=timezone.now,
        help_text=_(
            "Badges these keys signed from this moment on stop verifying; what they signed "
            "before stays valid. When in doubt, choose an earlier moment."
        ),
    )


@admin.register(Membership)
class MembershipAdmin(ViewOnlyAdmin):
    """Roles are granted by invitation (accepted by the invited address) and on the staff
    pages, which audit every grant and removal."""

    list_display = ["user", "role", "institution", "faculty", "issuer", "badge_class"]
    list_filter = ["role"]
    search_fields = ["user__email"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Invitations are sent and withdrawn through the same service as on the staff pages."""

    list_display = ["email", "eppn", "institution", "role", "expires_at", "accepted_at"]
    readonly_fields = ["expires_at", "accepted_at", "accepted_by", "invited_by"]
    fields = ["email", "eppn", "role", "institution", "faculty", "issuer", *readonly_fields]
    list_filter = ["institution"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        data = form.cleaned_data
        adopt(
            obj,
            services.invitation_create(
                actor=request.user,
                email=data.get("email") or "",
                eppn=data.get("eppn") or "",
                role=data["role"],
                institution=data["institution"],
                faculty=data.get("faculty"),
                issuer=data.get("issuer"),
            ),
        )

    def get_deleted_objects(self, objs, request):
        # The invitation's email, if still waiting in the outbox, goes with it.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, perms_needed - {str(Notification._meta.verbose_name)}, protected

    def delete_model(self, request, obj) -> None:
        services.invitation_withdraw(actor=request.user, invitation=obj)

    def delete_queryset(self, request, queryset) -> None:
        for invitation in queryset:
            services.invitation_withdraw(actor=request.user, invitation=invitation)


@admin.register(AuditEntry)
class AuditEntryAdmin(ViewOnlyAdmin):
    list_display = ["created_at", "institution", "actor", "label", "summary", "chain", "sequence"]
    list_filter = ["action", "institution"]
    list_select_related = ["institution", "actor"]
    search_fields = ["summary", "actor__email"]
