from django.db import models
from django.utils.translation import gettext_lazy as _


class EqfLevel(models.IntegerChoices):
    LEVEL_1 = 1, _("EQF 1")
    LEVEL_2 = 2, _("EQF 2")
    LEVEL_3 = 3, _("EQF 3")
    LEVEL_4 = 4, _("EQF 4")
    LEVEL_5 = 5, _("EQF 5 (associate degree)")
    LEVEL_6 = 6, _("EQF 6 (bachelor)")
    LEVEL_7 = 7, _("EQF 7 (master)")
    LEVEL_8 = 8, _("EQF 8 (doctorate)")


class NlqfLevel(models.TextChoices):
    ENTRY = "entry", _("NLQF entry level")
    LEVEL_1 = "1", _("NLQF 1")
    LEVEL_2 = "2", _("NLQF 2")
    LEVEL_3 = "3", _("NLQF 3")
    LEVEL_4 = "4", _("NLQF 4")
    LEVEL_5 = "5", _("NLQF 5")
    LEVEL_6 = "6", _("NLQF 6")
    LEVEL_7 = "7", _("NLQF 7")
    LEVEL_8 = "8", _("NLQF 8")


class AssessmentType(models.TextChoices):
    WRITTEN_EXAM = "written_exam", _("Written exam")
    ORAL_EXAM = "oral_exam", _("Oral exam")
    ASSIGNMENT = "assignment", _("Assignment")
    PORTFOLIO = "portfolio", _("Portfolio")
    PRACTICAL = "practical", _("Practical demonstration")
    PRESENTATION = "presentation", _("Presentation")
    TESTING = "testing", _("Test or quiz")
    OTHER = "other", _("Other")


class Participation(models.TextChoices):
    ONLINE = "online", _("Online")
    ONSITE = "onsite", _("On site")
    BLENDED = "blended", _("Blended")
    WORK_EXPERIENCE = "work_experience", _("Work experience")


class Language(models.TextChoices):
    DUTCH = "nl", _("Dutch")
    ENGLISH = "en", _("English")


class ExpiryUnit(models.TextChoices):
    DAYS = "days", _("days")
    MONTHS = "months", _("months")
    YEARS = "years", _("years")


# The Dutch framework for microcredentials; attached to microcredentials as quality assurance.
DUTCH_MICROCREDENTIAL_FRAMEWORK = {
    "name": "Pilot Microcredentials Hoger Onderwijs / Pilot Microcredentials MBO",
    "url": "https://www.versnellingsplan.nl/Kennisbank/pilot-microcredentials/",
    "description": (
        "The microcredential is offered by an accredited Dutch institution within the national "
        "pilot framework for microcredentials. The institution's internal quality assurance, "
        "as assessed in the institutional accreditation (ITK) or by the Inspectorate of "
        "Education, applies to the educational unit and its assessment."
    ),
}
