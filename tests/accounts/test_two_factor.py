"""Two-factor authentication (allauth.mfa) for admins who sign in with a password."""

from __future__ import annotations

import re
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.urls import reverse

from issuers.models import Membership
from issuers.roles import Role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def sign_in(client, user):
    return client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})


@pytest.fixture
def institution_admin(world):
    user = UserFactory(email="inge.admin@a.example")
    Membership.objects.create(user=user, role=Role.ADMIN, institution=world["a"]["institution"])
    return user


def test_an_institution_admin_must_set_up_a_second_factor_before_anything_else(
    client, institution_admin, time_machine
):
    time_machine.move_to("2026-12-01 09:00:00+00:00", tick=False)
    response = sign_in(client, institution_admin)
    assert response["Location"] == reverse("accounts:second_factor_required")
    # Every other page leads back there until a second factor exists.
    assert client.get(reverse("staff:dashboard"))["Location"] == reverse(
        "accounts:second_factor_required"
    )
    # Changing the second factors asks for the password again first.
    response = client.get(reverse("mfa_activate_totp"))
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    client.post(response["Location"], {"password": PASSWORD})
    page = client.get(reverse("mfa_activate_totp")).content.decode()
    secret = re.search(r'value="([A-Z2-7]{32})"', page).group(1)
    response = client.post(reverse("mfa_activate_totp"), {"code": code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=institution_admin, type="totp").exists()
    assert client.get(reverse("staff:dashboard")).status_code == 200
    # Admins keep their second factor: it cannot be switched off.
    response = client.post(reverse("mfa_deactivate_totp"), {})
    assert Authenticator.objects.filter(user=institution_admin, type="totp").exists()

    # The next sign-in asks for a code; a wrong one gets nowhere, the right one gets in.
    client.post(reverse("account_logout"))
    response = sign_in(client, institution_admin)
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    page = client.post(reverse("mfa_authenticate"), {"code": "000000"}).content.decode()
    assert "Incorrect code" in page and "_auth_user_id" not in client.session
    time_machine.shift(31)
    response = client.post(reverse("mfa_authenticate"), {"code": code(secret)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(institution_admin.pk)


def test_platform_admins_need_a_second_factor_too_but_students_do_not(client, db):
    platform_admin = UserFactory(is_staff=True, is_superuser=True)
    assert sign_in(client, platform_admin)["Location"] == reverse("accounts:second_factor_required")
    client.post(reverse("account_logout"))
    student = UserFactory()
    assert sign_in(client, student)["Location"] == reverse("home")
    assert client.get(reverse("backpack:list")).status_code == 200
    # ... and may set one up.
    response = client.get(reverse("mfa_activate_totp"))
    client.post(response["Location"], {"password": PASSWORD})
    assert client.get(reverse("mfa_activate_totp")).status_code == 200


def test_two_factor_attempts_are_rate_limited(client, institution_admin, time_machine):
    time_machine.move_to("2026-12-01 09:00:00+00:00", tick=False)
    Authenticator.objects.create(
        user=institution_admin,
        type=Authenticator.Type.TOTP,
        data={"secret": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"},
    )
    sign_in(client, institution_admin)
    for _attempt in range(5):
        client.post(reverse("mfa_authenticate"), {"code": "000000"})
    right = code("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    page = client.post(reverse("mfa_authenticate"), {"code": right}).content.decode()
    assert "Too many failed" in page
    assert "_auth_user_id" not in client.session
