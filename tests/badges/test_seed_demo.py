import pytest
from django.core.management import call_command

from badges.models import BadgeClass
from issuers.badge_types import BadgeType
from issuers.models import Institution, Membership
from issuers.onboarding import can_issue

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    from django.contrib.auth import get_user_model

    return (
        Institution.objects.count(),
        BadgeClass.objects.count(),
        get_user_model().objects.count(),
        Membership.objects.count(),
    )


def test_seed_demo_is_idempotent_and_covers_all_sectors_and_types(capsys):
    call_command("seed_demo")
    first = _counts()
    call_command("seed_demo")
    assert _counts() == first
    assert set(Institution.objects.education().values_list("sector", flat=True)) == {
        "mbo",
        "hbo",
        "wo",
    }
    for institution in Institution.objects.education():
        types = set(
            BadgeClass.objects.filter(issuer__faculty__institution=institution).values_list(
                "badge_type", flat=True
            )
        )
        assert types == set(BadgeType.values)
        for badge_type in BadgeType.values:
            assert can_issue(institution, badge_type)
    for badge_class in BadgeClass.objects.all():
        badge_class.full_clean()
    output = capsys.readouterr().out
    assert "issuer-admin@hogeschool.example" in output
    assert "edubadges-demo" in output


def test_seed_demo_runs_again_after_staff_made_badges_of_their_own(capsys):
    from badges import services
    from badges.models import Assertion, Award, Enrollment
    from issuers.models import Issuer
    from tests.factories import png_file

    call_command("seed_demo")
    before = (Assertion.objects.count(), Award.objects.count(), Enrollment.objects.count())
    issuer = Issuer.objects.get(faculty__institution__schac_home="hogeschool.example")
    issuer_admin = Membership.objects.get(issuer=issuer, role="admin").user
    own = [
        services.badge_class_create(
            actor=issuer_admin,
            issuer=issuer,
            badge_type=BadgeType.MICROCREDENTIAL,
            name_en="A module of our own",
            description_en="Ours.",
            criteria_en="Do it.",
            learning_outcomes_en="Knows it",
            eqf_level=5,
            study_load_ects=3,
            assessment_type="portfolio",
            participation="online",
            quality_assurance_name="Our framework",
            quality_assurance_url="https://example.org/qa",
            quality_assurance_description="Checked.",
            image=png_file(),
        ),
        services.badge_class_create(
            actor=issuer_admin,
            issuer=issuer,
            badge_type=BadgeType.EXTRACURRICULAR,
            name_en="Student ambassador",
            description_en="The same name as the demo's.",
            criteria_en="Do it.",
            image=png_file(),
        ),
    ]

    call_command("seed_demo")

    assert (Assertion.objects.count(), Award.objects.count(), Enrollment.objects.count()) == before
    for badge_class in own:
        assert not badge_class.awards.exists() and not badge_class.assertions.exists()
        assert not badge_class.enrollments.exists()


def test_seed_demo_has_a_shared_framework_with_badges_of_two_institutions_aligned():
    from badges.models import Alignment
    from frameworks.models import CompetencyFramework

    call_command("seed_demo")
    call_command("seed_demo")
    framework = CompetencyFramework.objects.get(name_en="21st Century Skills")
    assert framework.shared and framework.items.count() == 8
    aligned = Alignment.objects.filter(framework_item__framework=framework)
    institutions = set(aligned.values_list("badge_class__issuer__faculty__institution", flat=True))
    assert len(institutions) == 2
    assert CompetencyFramework.objects.count() == 1


def test_seed_demo_has_an_accepted_endorsement_across_institutions(
    django_capture_on_commit_callbacks,
):
    from badges.models import Endorsement

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    call_command("seed_demo")
    endorsement = Endorsement.objects.get(endorser__faculty__institution__kind="education")
    assert endorsement.status == Endorsement.Status.ISSUED
    assert endorsement.ob3_credential["type"] == ["VerifiableCredential", "EndorsementCredential"]
    assert endorsement.endorser.faculty.institution != endorsement.badge_class.institution


def test_seed_demo_has_an_endorsing_body_with_an_accepted_endorsement(
    django_capture_on_commit_callbacks,
):
    from badges.models import Endorsement
    from issuers.roles import Role

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    call_command("seed_demo")
    body = Institution.objects.endorsing_bodies().get()
    assert body.memberships.filter(role=Role.ADMIN, user__email__startswith="admin@").exists()
    endorsement = Endorsement.objects.get(endorser__faculty__institution=body)
    assert endorsement.status == Endorsement.Status.ISSUED
    assert endorsement.ob3_credential["issuer"]["name"] == body.name_en
    assert not body.faculties.get().issuers.get().badge_classes.exists()


def test_the_first_demo_student_finds_offers_waiting_without_the_email(capsys):
    from django.contrib.auth import get_user_model

    from badges.awarding import selectors

    call_command("seed_demo")
    for schac_home in ("mbo-college.example", "hogeschool.example", "universiteit.example"):
        student = get_user_model().objects.get(email=f"student1@{schac_home}")
        offers = selectors.student_open_offers(student)
        assert offers, schac_home
        # From another institution: a microcredential taken as a guest student.
        assert all(
            offer.badge_class.issuer.faculty.institution.schac_home != schac_home
            for offer in offers
        )
