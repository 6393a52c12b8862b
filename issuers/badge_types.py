"""The three badge types an institution can enable."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BadgeType(models.TextChoices):
    DIGITAL_EDUCATION = "digital_education", _("Edubadge for digital education")
    MICROCREDENTIAL = "microcredential", _("Microcredential")
    EXTRACURRICULAR = "extracurricular", _("Certificate for extra-curricular activities")


BADGE_TYPE_EXPLANATIONS = {
    BadgeType.DIGITAL_EDUCATION: _(
        "A result in a recognised (accredited) programme. Formal: needs learning outcomes, "
        "an EQF/NLQF level and the programme identifier (CROHO or CREBO)."
    ),
    BadgeType.MICROCREDENTIAL: _(
        "A short educational unit (minor, module) under a national or international quality "
        "framework. Carries all elements the EU Council Recommendation (2022) makes mandatory."
    ),
    BadgeType.EXTRACURRICULAR: _(
        "Activities outside the regular curriculum. No credits and no formal value."
    ),
}
