"""Records point at the exact statement version that was read; the admin and forms keep it so."""

from __future__ import annotations

import pytest
from django.db.models import RestrictedError
from django.urls import reverse

from issuers.badge_types import BadgeType
from issuers.models import Institution
from privacy.forms import AccountDeleteForm
from privacy.models import ConsentRecord
from tests.factories import UserFactory
from tests.privacy.factories import record


def test_a_statement_someone_agreed_to_cannot_be_deleted(student, campus):
    statement = campus["statements"][BadgeType.EXTRACURRICULAR]
    record(student, statement)
    with pytest.raises(RestrictedError):
        statement.delete()


def test_deleting_an_institution_takes_its_records_along(student, campus):
    record(student, campus["statements"][BadgeType.EXTRACURRICULAR])
    institution = campus["institution"]
    for badge_class in campus["badges"].values():
        badge_class.delete()
    institution.delete()
    assert not Institution.objects.filter(pk=institution.pk).exists()
    assert not ConsentRecord.objects.exists()


def test_account_without_password_confirms_erasure_with_its_email_address(db):
    user = UserFactory()
    user.set_unusable_password()
    form = AccountDeleteForm({"email": "someone-else@example.org", "confirm": "on"}, user=user)
    assert not form.is_valid()
    assert "password" not in form.fields
    form = AccountDeleteForm({"email": user.email.upper(), "confirm": "on"}, user=user)
    assert form.is_valid()


def test_admin_statement_inline_links_to_the_students_view(admin_client, campus):
    statement = campus["statements"][BadgeType.EXTRACURRICULAR]
    page = admin_client.get(
        reverse("admin:privacy_privacypolicy_change", args=[statement.policy.pk])
    ).content.decode()
    assert reverse("privacy:staff_statement", args=[campus["institution"].pk, statement.pk]) in page


def test_admin_lists_privacy_records_read_only(admin_client, student, campus):
    record(student, campus["statements"][BadgeType.EXTRACURRICULAR])
    for name in ("consentrecord", "objection", "dataexport"):
        assert admin_client.get(reverse(f"admin:privacy_{name}_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:issuers_auditentry_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:privacy_consentrecord_add")).status_code == 403
