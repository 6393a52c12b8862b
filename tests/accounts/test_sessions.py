"""Sessions: a new one on sign-in, gone on sign-out, and other devices signed out when the
password changes or on request."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def sign_in(client, user, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": user.email, "password": password})


def test_the_session_rotates_on_sign_in_and_ends_on_sign_out(client):
    user = UserFactory()
    client.get(reverse("account_login"))
    before = client.cookies["sessionid"].value if "sessionid" in client.cookies else None
    sign_in(client, user)
    during = client.cookies["sessionid"].value
    assert during and during != before
    stolen = Client()
    stolen.cookies["sessionid"] = during
    assert stolen.get(reverse("backpack:list")).status_code == 200
    client.post(reverse("account_logout"))
    # The session is gone on the server: a copied cookie no longer signs anyone in.
    assert stolen.get(reverse("backpack:list")).status_code == 302


def test_a_new_password_signs_out_the_other_devices(client):
    user = UserFactory()
    other_device = Client()
    sign_in(other_device, user)
    sign_in(client, user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "a-new-long-passphrase-9",
            "password2": "a-new-long-passphrase-9",
        },
    )
    assert response.status_code == 302
    assert client.get(reverse("backpack:list")).status_code == 200
    assert other_device.get(reverse("backpack:list")).status_code == 302


def test_other_sessions_can_be_signed_out_from_the_sessions_page(client):
    user = UserFactory()
    other_device = Client()
    sign_in(other_device, user)
    sign_in(client, user)
    page = client.get(reverse("usersessions_list"))
    assert page.status_code == 200
    client.post(reverse("usersessions_list"), {})
    assert client.get(reverse("backpack:list")).status_code == 200
    assert other_device.get(reverse("backpack:list")).status_code == 302
