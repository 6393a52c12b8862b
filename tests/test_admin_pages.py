"""Every page of the platform administration opens, with demo data in it."""

import io

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_every_admin_list_and_first_change_page_opens(client):
    call_command("seed_demo", stdout=io.StringIO())
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        response = client.get(reverse("admin:{}_{}_changelist".format(*info)))
        assert response.status_code == 200, info
        first = model_admin.get_queryset(response.wsgi_request).first()
        if first is not None:
            assert (
                client.get(reverse("admin:{}_{}_change".format(*info), args=[first.pk])).status_code
                == 200
            ), info
