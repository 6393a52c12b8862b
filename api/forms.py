from django import forms
from django.utils.translation import gettext_lazy as _

from issuers.models import Issuer


class ApiClientForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=120, help_text=_("For example: Brightspace, Osiris.")
    )
    issuer = forms.ModelChoiceField(
        label=_("Limit to one issuer"),
        queryset=Issuer.objects.none(),
        required=False,
        help_text=_("Leave empty to let the client award every badge of the institution."),
    )

    def __init__(self, *args, institution, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = Issuer.objects.filter(faculty__institution=institution)
