import pytest
from django.urls import reverse

from badges import services as badge_services
from frameworks.models import CompetencyFramework, FrameworkItem
from issuers.models import AuditEntry
from issuers.roles import Role
from tests.awarding.factories import make_issuable
from tests.factories import (
    BadgeClassFactory,
    InstitutionFactory,
    IssuerFactory,
    MembershipFactory,
    UserFactory,
)

from .factories import FrameworkFactory, FrameworkItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def institution():
    return InstitutionFactory()


@pytest.fixture
def institution_admin(client, institution):
    admin = MembershipFactory(institution=institution, role=Role.ADMIN).user
    client.force_login(admin)
    return admin


def test_institution_admin_creates_a_shared_framework_and_adds_items(
    client, institution, institution_admin
):
    response = client.post(
        reverse("staff:framework_create"),
        {
            "owner": str(institution.pk),
            "name_en": "Our skills",
            "publisher": "Our institution",
            "version": "1",
            "shared": "on",
        },
    )
    framework = CompetencyFramework.objects.get()
    assert response.status_code == 302
    assert framework.institution == institution and framework.shared
    response = client.post(
        reverse("staff:framework", args=[framework.pk]),
        {"code": "S1", "name_en": "Collaboration", "name_nl": "Samenwerken", "position": 0},
    )
    assert response.status_code == 302
    item = FrameworkItem.objects.get()
    client.post(
        reverse("staff:framework_item_edit", args=[item.pk]),
        {"code": "S1", "name_en": "Teamwork", "position": 0},
    )
    item.refresh_from_db()
    assert item.name_en == "Teamwork"
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"framework_create", "framework_item_create", "framework_item_update"} <= actions


def test_institution_admin_cannot_make_a_platform_framework(client, institution_admin):
    page = client.get(reverse("staff:framework_create")).content.decode()
    assert 'value="platform"' not in page
    response = client.post(
        reverse("staff:framework_create"), {"owner": "platform", "name_en": "X", "publisher": "Y"}
    )
    assert response.status_code == 200 and not CompetencyFramework.objects.exists()


def test_another_institutions_unshared_framework_is_404(client, institution_admin):
    private = FrameworkFactory(institution=InstitutionFactory(), shared=False)
    item = FrameworkItemFactory(framework=private)
    assert client.get(reverse("staff:framework", args=[private.pk])).status_code == 404
    assert client.get(reverse("staff:framework_item_edit", args=[item.pk])).status_code == 404
    assert private.title not in client.get(reverse("staff:frameworks")).content.decode()


def test_a_shared_framework_of_another_institution_is_seen_but_not_changed(
    client, institution_admin
):
    shared = FrameworkFactory(institution=InstitutionFactory(), shared=True)
    item = FrameworkItemFactory(framework=shared)
    page = client.get(reverse("staff:framework", args=[shared.pk]))
    assert page.status_code == 200 and "Add an item" not in page.content.decode()
    assert client.get(reverse("staff:framework_edit", args=[shared.pk])).status_code == 403
    assert client.post(reverse("staff:framework_item_delete", args=[item.pk])).status_code == 403
    assert (
        client.post(reverse("staff:framework", args=[shared.pk]), {"code": "X"}).status_code == 403
    )


def test_platform_admin_keeps_a_platform_framework(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    client.post(
        reverse("staff:framework_create"),
        {"owner": "platform", "name_en": "European skills", "publisher": "EU"},
    )
    framework = CompetencyFramework.objects.get()
    assert framework.institution is None


def test_staff_align_a_badge_in_the_badge_form(client):
    issuer = IssuerFactory()
    badge_class = BadgeClassFactory(issuer=issuer)
    client.force_login(MembershipFactory(issuer=issuer, role=Role.ADMIN).user)
    usable = FrameworkItemFactory(framework__name_en="Shared skills", code="SK1")
    hidden = FrameworkItemFactory(
        framework__institution=InstitutionFactory(), framework__shared=False
    )
    url = reverse("staff:badge_class_edit", args=[badge_class.pk])
    page = client.get(url).content.decode()
    assert "SK1" in page and hidden.code not in page
    data = {
        "name_en": badge_class.name_en,
        "description_en": badge_class.description_en,
        "criteria_en": badge_class.criteria_en,
        "language": "en",
        "expiry_unit": "years",
        "framework_items": [usable.pk],
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()
    assert list(badge_class.alignments.values_list("framework_item", flat=True)) == [usable.pk]
    detail = client.get(reverse("staff:badge_class", args=[badge_class.pk])).content.decode()
    assert "Shared skills 1.0" in detail
    # An item of a framework the institution may not use is no choice at all.
    response = client.post(url, {**data, "framework_items": [hidden.pk]})
    assert response.status_code == 200
    assert list(badge_class.alignments.values_list("framework_item", flat=True)) == [usable.pk]


def test_public_framework_page_lists_aligned_badges_of_every_institution(client):
    item = FrameworkItemFactory(name_en="Collaboration", name_nl="Samenwerken", code="SW")
    admin = UserFactory(is_superuser=True)
    first, second = BadgeClassFactory(name_en="Team player"), BadgeClassFactory(name_en="Crew")
    archived = BadgeClassFactory(name_en="Old badge", archived=True)
    for badge_class in (first, second, archived):
        badge_services.badge_class_update(
            actor=admin, badge_class=badge_class, framework_items=[item]
        )
    assert first.institution != second.institution
    page = client.get(
        reverse("public:framework", args=[item.framework.public_id]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "SW Collaboration" in page
    assert "Team player" in page and "Crew" in page and "Old badge" not in page
    assert first.institution.name_en in page and second.institution.name_en in page
    item_page = client.get(
        reverse("public:framework_item", args=[item.framework.public_id, item.public_id])
    ).content.decode()
    assert "Team player" in item_page
    badge_page = client.get(
        reverse("public:badge_class", args=[first.public_id]) + "?format=html",
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert "SW Collaboration" in badge_page
    assert item.framework.title in client.get(reverse("public:frameworks")).content.decode()


def _open_for_enrolment(**kwargs):
    badge_class = BadgeClassFactory(self_enrollment_enabled=True, **kwargs)
    make_issuable(badge_class.institution)
    return badge_class


def test_catalogue_filters_by_framework_and_item(client):
    collaboration = FrameworkItemFactory(code="SW", name_en="Collaboration")
    thinking = FrameworkItemFactory(framework=collaboration.framework, code="KD")
    other_framework_item = FrameworkItemFactory()
    admin = UserFactory(is_superuser=True)
    team = _open_for_enrolment(name_en="Team player")
    thinker = _open_for_enrolment(name_en="Thinker")
    loner = _open_for_enrolment(name_en="Loner")
    badge_services.badge_class_update(
        actor=admin, badge_class=team, framework_items=[collaboration]
    )
    badge_services.badge_class_update(actor=admin, badge_class=thinker, framework_items=[thinking])
    badge_services.badge_class_update(
        actor=admin, badge_class=loner, framework_items=[other_framework_item]
    )
    url = reverse("students:catalogue")

    def names(**query) -> set[str]:
        response = client.get(url, query)
        return {b.name_en for b in response.context["page"]}

    assert names() == {"Team player", "Thinker", "Loner"}
    assert names(framework=str(collaboration.framework.public_id)) == {"Team player", "Thinker"}
    assert names(item=str(collaboration.public_id)) == {"Team player"}
    page = client.get(url).content.decode()
    assert "SW Collaboration" in page
