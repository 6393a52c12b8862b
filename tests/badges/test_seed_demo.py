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
    assert set(Institution.objects.values_list("sector", flat=True)) == {"mbo", "hbo", "wo"}
    for institution in Institution.objects.all():
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
