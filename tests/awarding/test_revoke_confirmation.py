"""Revoking asks once more: it cannot be undone and the reason is public."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from badges.models import Assertion

pytestmark = pytest.mark.django_db


def _hidden(page: str) -> dict[str, list[str]]:
    form = page.split('class="form"', 1)[1].split("</form>", 1)[0]
    fields: dict[str, list[str]] = {}
    for name, value in re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', form):
        fields.setdefault(name, []).append(html.unescape(value))
    return fields


def test_revoking_one_badge_asks_for_confirmation_first(
    client, ready, awarder, issue, commits, mailoutbox
):
    assertion = issue(badge_class=ready["a"]["badge_class"], email="held@student.example")
    mailoutbox.clear()
    client.force_login(awarder)
    url = reverse("staff:assertion", args=[assertion.pk])
    response = client.post(url, {"reason": "Handed in someone else's work"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "cannot be undone" in page and "Handed in someone else&#x27;s work" in page
    assert "<script" not in page
    assert Assertion.objects.get(pk=assertion.pk).status == Assertion.Status.ISSUED
    assert not mailoutbox

    with commits():
        client.post(url, {key: values[0] for key, values in _hidden(page).items()})
    assertion.refresh_from_db()
    assert assertion.status == Assertion.Status.REVOKED
    assert assertion.revocation_reason == "Handed in someone else's work"
    assert len(mailoutbox) == 1


def test_revoking_many_lists_them_and_revokes_only_after_confirmation(
    client, ready, awarder, issue, commits
):
    badge_class = ready["a"]["badge_class"]
    many = [issue(badge_class=badge_class, email=f"m{i}@student.example") for i in range(3)]
    client.force_login(awarder)
    url = reverse("staff:assertions_revoke", args=[badge_class.pk])
    page = client.post(
        url, {"selected": [a.pk for a in many[:2]], "reason": "Exam fraud"}
    ).content.decode()
    assert "Revoke 2 badges for good?" in page
    assert not Assertion.objects.filter(status=Assertion.Status.REVOKED).exists()
    fields = _hidden(page)
    assert sorted(fields["selected"]) == sorted(str(a.pk) for a in many[:2])
    with commits():
        client.post(url, fields)
    statuses = [Assertion.objects.get(pk=a.pk).status for a in many]
    assert statuses == ["revoked", "revoked", "issued"]
