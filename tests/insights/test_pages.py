"""The insights pages and CSV: reachable from the staff dashboard, scoped to what the user may
see, in Dutch and English, with charts and tables, and a fixed number of queries."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from issuers.roles import Role
from tests.factories import BadgeClassFactory, UserFactory

from .conftest import at, make_assertion, make_award, make_enrollment

pytestmark = pytest.mark.django_db


def _url(kind: str, obj, name: str = "insights:scope") -> str:
    return reverse(name, args=[kind, obj.pk])


def test_the_dashboard_leads_to_the_insights_of_the_institution(client, usage, user_with_role):
    admin = user_with_role(Role.ADMIN, institution=usage["a"]["institution"])
    client.force_login(admin)
    dashboard = client.get(reverse("staff:dashboard")).content.decode()
    assert reverse("insights:index") in dashboard
    index = client.get(reverse("insights:index")).content.decode()
    assert _url("institution", usage["a"]["institution"]) in index
    page = client.get(_url("institution", usage["a"]["institution"]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Claim rate" in html and "60.0%" in html
    assert "2.0 days" in html
    assert html.count('<svg viewBox="0 0 720 260" role="img"') == 2
    assert "<caption" in html and "March 2026" in html
    # The drill-down to the faculty, and the other institution nowhere.
    assert _url("faculty", usage["a"]["faculty"]) in html
    assert usage["b"]["institution"].name not in html


@pytest.mark.parametrize(
    ("role", "level", "kind"),
    [
        (Role.VIEWER, "module", "badge"),
        (Role.AWARDER, "module", "badge"),
        (Role.ADMIN, "issuer", "issuer"),
    ],
)
def test_every_role_sees_the_figures_of_its_own_scope_only(
    client, usage, user_with_role, role, level, kind
):
    own = usage[level] if level == "module" else usage["a"][level]
    scope = {"badge_class" if kind == "badge" else kind: own}
    client.force_login(user_with_role(role, **scope))
    assert client.get(_url(kind, own)).status_code == 200
    assert client.get(_url(kind, own, "insights:scope_csv")).status_code == 200
    # Above its scope, beside it and in another institution: 404.
    elsewhere = [
        ("institution", usage["a"]["institution"]),
        ("faculty", usage["a"]["faculty"]),
        ("badge", usage["b"]["badge_class"]),
        ("institution", usage["b"]["institution"]),
        ("issuer", usage["b"]["issuer"]),
    ]
    if kind == "badge":
        elsewhere += [("badge", usage["certificate"]), ("issuer", usage["a"]["issuer"])]
    for other_kind, other in elsewhere:
        assert client.get(_url(other_kind, other)).status_code == 404, (other_kind, other)
        assert client.get(_url(other_kind, other, "insights:scope_csv")).status_code == 404
    assert client.get(reverse("insights:scope", args=["nonsense", 1])).status_code == 404


def test_students_and_strangers_are_kept_out(client, usage):
    url = _url("institution", usage["a"]["institution"])
    assert client.get(url).status_code == 302  # to sign in
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    assert client.get(reverse("insights:index")).status_code == 403


def test_platform_admins_see_every_institution(client, usage):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    html = client.get(reverse("insights:index")).content.decode()
    for side in ("a", "b"):
        assert _url("institution", usage[side]["institution"]) in html
    row = html.split(_url("institution", usage["a"]["institution"]), 1)[1].split("</tr>", 1)[0]
    assert "<td>8</td>" in row and "60.0%" in row
    assert client.get(_url("institution", usage["b"]["institution"])).status_code == 200


def test_dutch(client, usage, user_with_role):
    client.force_login(user_with_role(Role.VIEWER, institution=usage["a"]["institution"]))
    html = client.get(
        _url("institution", usage["a"]["institution"]), HTTP_ACCEPT_LANGUAGE="nl"
    ).content.decode()
    assert "Inzichten" in html and "maart 2026" in html and "60,0%" in html
    assert "Claim rate" not in html
    # Numbers in the SVG keep a dot, whatever the language.
    assert re.search(r'<rect x="[0-9.]+" y="[0-9.]+" width="[0-9.]+" height="[0-9.]+"', html)
    assert not re.search(r'(x|y|width|height)="[0-9]+,[0-9]', html)


def test_the_csv_has_every_month_and_type_and_is_safe_in_a_spreadsheet(
    client, usage, user_with_role
):
    institution = usage["a"]["institution"]
    institution.name_en = '=HYPERLINK("https://evil.example")'
    institution.save()
    client.force_login(user_with_role(Role.VIEWER, institution=institution))
    response = client.get(
        _url("institution", institution, "insights:scope_csv"),
        {"start": "2026-03", "end": "2026-05"},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["Scope", "Month", "Badge type"]
    # Three months × three types, three month totals, three type totals and the total.
    assert len(body) == 9 + 3 + 3 + 1
    assert all(row[0].startswith("'=") for row in body)
    total = dict(zip(header, body[-1], strict=True))
    assert total["Awards"] == "8" and total["Claim rate (%)"] == "60.0"
    assert total["Median days to claim"] == "2.0"
    march_module = next(row for row in body if row[1] == "2026-03" and "icro" in row[2])
    assert dict(zip(header, march_module, strict=True))["Claims"] == "2"


def test_a_wrong_period_is_said_and_the_last_twelve_months_are_shown(client, usage, user_with_role):
    client.force_login(user_with_role(Role.VIEWER, institution=usage["a"]["institution"]))
    url = _url("institution", usage["a"]["institution"])
    html = client.get(url, {"start": "2026-05", "end": "2026-03"}).content.decode()
    assert "Choose a month after the first one." in html
    assert "July 2025" in html and "June 2026" in html
    html = client.get(url, {"start": "2020-01", "end": "2026-03"}).content.decode()
    assert "Choose at most 60 months." in html
    html = client.get(url, {"start": "garbage"}).content.decode()
    assert "Enter a valid date." in html


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_volume(client, usage, user_with_role):
    institution = usage["a"]["institution"]
    client.force_login(user_with_role(Role.VIEWER, institution=institution))
    page, download = (
        _url("institution", institution),
        _url("institution", institution, "insights:scope_csv"),
    )
    before = (_queries(client, page), _queries(client, download))
    badge_classes = [
        usage["module"],
        usage["certificate"],
        BadgeClassFactory(issuer=usage["a"]["issuer"]),
    ]
    for number in range(60):
        badge_class = badge_classes[number % 3]
        created = at(1 + number % 6, 1 + number % 27)
        make_award(badge_class, created, "claimed", claimed_after=timedelta(hours=number))
        make_award(badge_class, created, "declined", decided_at=created)
        make_assertion(badge_class, created, revoked_at=created if number % 4 == 0 else None)
        make_enrollment(badge_class, created, "approved" if number % 2 else "denied")
    assert (_queries(client, page), _queries(client, download)) == before
