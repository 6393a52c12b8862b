import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from badges import credentials
from badges import services as badge_services
from badges.models import Alignment
from frameworks import services
from frameworks.models import CompetencyFramework
from issuers.models import AuditEntry
from issuers.roles import Role
from tests.factories import (
    BadgeClassFactory,
    InstitutionFactory,
    IssuerFactory,
    MembershipFactory,
    UserFactory,
)

from .factories import FrameworkFactory, FrameworkItemFactory

pytestmark = pytest.mark.django_db


def _institution_admin(institution):
    return MembershipFactory(institution=institution, role=Role.ADMIN).user


def test_institution_admin_creates_a_framework_of_their_own_with_an_audit_entry():
    institution = InstitutionFactory()
    admin = _institution_admin(institution)
    framework = services.framework_create(
        actor=admin, institution=institution, name_en="Our skills", publisher="Us", shared=True
    )
    item = services.framework_item_create(
        actor=admin, framework=framework, code="S1", name_en="Collaboration"
    )
    entries = (
        AuditEntry.objects.filter(institution=institution)
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert list(entries) == ["framework_create", "framework_item_create"]
    assert item.framework == framework and framework.shared


def test_only_platform_admins_keep_platform_frameworks():
    institution_admin = _institution_admin(InstitutionFactory())
    with pytest.raises(PermissionDenied):
        services.framework_create(
            actor=institution_admin, institution=None, name_en="Everyone's", publisher="P"
        )
    platform_admin = UserFactory(is_superuser=True)
    framework = services.framework_create(
        actor=platform_admin, institution=None, name_en="Everyone's", publisher="P"
    )
    assert AuditEntry.objects.get(action="framework_create").institution is None
    with pytest.raises(PermissionDenied):
        services.framework_update(actor=institution_admin, framework=framework, version="2")


def test_admin_of_another_institution_cannot_change_a_framework():
    framework = FrameworkFactory(institution=InstitutionFactory(), shared=True)
    other_admin = _institution_admin(InstitutionFactory())
    with pytest.raises(PermissionDenied):
        services.framework_item_create(
            actor=other_admin, framework=framework, code="X", name_en="Sneaked in"
        )


def test_an_esco_uri_must_be_one():
    framework = FrameworkFactory()
    with pytest.raises(ValidationError) as error:
        services.framework_item_create(
            actor=UserFactory(is_superuser=True),
            framework=framework,
            code="E",
            name_en="Wrong",
            esco_uri="https://example.org/skill",
        )
    assert "esco_uri" in error.value.message_dict


def test_usable_frameworks_are_the_platforms_the_shared_and_the_own():
    institution = InstitutionFactory()
    platform = FrameworkFactory()
    own = FrameworkFactory(institution=institution)
    shared = FrameworkFactory(institution=InstitutionFactory(), shared=True)
    FrameworkFactory(institution=InstitutionFactory(), shared=False)
    assert set(CompetencyFramework.objects.usable_by(institution)) == {platform, own, shared}


def test_aligning_a_badge_to_items_puts_them_in_both_credential_versions():
    badge_class = BadgeClassFactory(language="en")
    item = FrameworkItemFactory(
        code="CT", name_en="Critical thinking", framework__name_en="21st Century Skills"
    )
    admin = UserFactory(is_superuser=True)
    badge_services.badge_class_update(actor=admin, badge_class=badge_class, framework_items=[item])
    expected = {
        "targetName": "Critical thinking",
        "targetFramework": "21st Century Skills 1.0",
        "targetCode": "CT",
        "targetDescription": "What it means.",
    }
    ob2 = credentials.badge_class_v2(badge_class)["alignment"]
    assert len(ob2) == 1 and expected.items() <= ob2[0].items()
    assert (
        f"/public/frameworks/{item.framework.public_id}/items/{item.public_id}"
        in ob2[0]["targetUrl"]
    )
    achievement = credentials.achievement_v3(badge_class)
    (alignment,) = achievement.alignments
    assert alignment.target_type == "ceasn:Competency"
    audit = AuditEntry.objects.get(action="badge_class_update")
    assert audit.data == {"fields": ["alignments"]}


def test_a_badge_cannot_align_to_another_institutions_unshared_framework():
    badge_class = BadgeClassFactory()
    private = FrameworkItemFactory(
        framework__institution=InstitutionFactory(), framework__shared=False
    )
    with pytest.raises(ValidationError) as error:
        badge_services.badge_class_update(
            actor=UserFactory(is_superuser=True), badge_class=badge_class, framework_items=[private]
        )
    assert "framework_items" in error.value.message_dict
    assert not Alignment.objects.exists()


def test_alignments_of_an_awarded_badge_are_fixed(issue):
    assertion = issue()
    item = FrameworkItemFactory()
    with pytest.raises(ValidationError):
        badge_services.badge_class_update(
            actor=UserFactory(is_superuser=True),
            badge_class=assertion.badge_class,
            framework_items=[item],
        )


def test_an_aligned_item_cannot_be_removed():
    item = FrameworkItemFactory()
    badge_class = BadgeClassFactory(issuer=IssuerFactory())
    admin = UserFactory(is_superuser=True)
    badge_services.badge_class_update(actor=admin, badge_class=badge_class, framework_items=[item])
    with pytest.raises(ValidationError):
        services.framework_item_delete(actor=admin, item=item)
    badge_services.badge_class_update(actor=admin, badge_class=badge_class, framework_items=[])
    services.framework_item_delete(actor=admin, item=item)
    assert not item.framework.items.exists()
