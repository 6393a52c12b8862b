"""The Open Badges API's credentials and profile endpoints, and the student's control over
the apps they connected."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from oauth2_provider.models import AccessToken, Grant, RefreshToken

from api.ob3 import scopes
from backpack.models import ExternalBadge
from badge_credentials import data_integrity, keys, ob3
from badge_credentials.contexts import OB_V3P0_3_0_3, VC_V2, document_loader
from badges import issuing
from badges.models import Assertion
from privacy import services as privacy_services
from privacy.models import ConsentRecord, RecordKind
from tests.api.conftest import basic, verified
from tests.factories import BadgeClassFactory, PrivacyStatementFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def student(db):
    return verified(UserFactory(email="ada@example.org", first_name="Ada", last_name="Lovelace"))


@pytest.fixture
def badges_of(issue):
    def make(user, count: int = 1, **kwargs) -> list[Assertion]:
        return [issue(email=user.email, recipient=user, **kwargs) for _ in range(count)]

    return make


def imsx_minor(response) -> str:
    return response.json()["imsx_codeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"]


def external_credential(
    email: str, *, name: str = "Chess master", credential_id: str = "", key=None
) -> dict:
    """An Open Badges 3.0 credential of another issuer, signed with a did:key."""
    key = key or keys.generate_ed25519_key()
    fingerprint = keys.ed25519_public_key_to_multibase(key.public_key())
    issuer = f"did:key:{fingerprint}"
    credential = {
        "@context": [VC_V2, OB_V3P0_3_0_3],
        "id": credential_id or f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Other Academy"},
        "validFrom": "2025-05-01T00:00:00Z",
        "name": name,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [ob3.build_identity_object(email, "pepper")],
            "achievement": {
                "id": "urn:uuid:4a8e0f1c-0000-4000-8000-000000000001",
                "type": ["Achievement"],
                "name": name,
                "description": "Plays chess well.",
                "criteria": {"narrative": "Win."},
            },
        },
    }
    return data_integrity.add_proof(
        credential,
        key,
        verification_method=f"{issuer}#{fingerprint}",
        loader=document_loader(),
        created=datetime(2025, 5, 1, tzinfo=UTC),
    )


# --- authentication and scopes ------------------------------------------------------------


def test_no_token_is_refused_with_a_bearer_challenge(call):
    response = call("get", "credentials", None)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["imsx_codeMajor"] == "failure"
    assert imsx_minor(response) == "unauthorizedrequest"
    bad = call("get", "credentials", "not-a-token")
    assert bad.status_code == 401 and 'error="invalid_token"' in bad["WWW-Authenticate"]


def test_a_token_in_the_query_string_is_not_accepted(client, student, connect):
    token = connect(student)["access_token"]
    response = client.get(reverse("ob3:credentials") + f"?access_token={token}")
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("granted", "method", "name", "body"),
    [
        (scopes.PROFILE_READ, "get", "credentials", None),
        (scopes.CREDENTIAL_READ, "post", "credentials", "{}"),
        (scopes.CREDENTIAL_READ, "get", "profile", None),
        (scopes.PROFILE_READ, "put", "profile", "{}"),
    ],
)
def test_a_token_without_the_scope_of_the_operation_is_forbidden(
    call, student, connect, granted, method, name, body
):
    token = connect(student, scope=granted)["access_token"]
    kwargs = {"data": body, "content_type": "application/json"} if body else {}
    response = call(method, name, token, **kwargs)
    assert response.status_code == 403
    assert imsx_minor(response) == "forbidden"
    assert 'error="insufficient_scope"' in response["WWW-Authenticate"]


def test_an_expired_token_is_refused(call, student, connect):
    token = connect(student)["access_token"]
    assert call("get", "credentials", token).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(seconds=3601), tick=False):
        assert call("get", "credentials", token).status_code == 401


def test_a_deactivated_account_is_refused(call, student, connect):
    token = connect(student)["access_token"]
    student.is_active = False
    student.save()
    assert call("get", "credentials", token).status_code == 401


def test_other_methods_are_not_allowed(call, student, connect):
    token = connect(student)["access_token"]
    response = call("delete", "credentials", token)
    assert response.status_code == 405 and imsx_minor(response) == "not_allowed"
    assert response["Allow"] == "GET, POST"


# --- getCredentials -----------------------------------------------------------------------


def test_a_client_sees_the_students_own_credentials_only(call, student, connect, badges_of):
    own = badges_of(student, 2)
    badges_of(verified(UserFactory(email="grace@example.org")), 2)
    response = call("get", "credentials", connect(student)["access_token"])
    assert response.status_code == 200
    body = response.json()
    assert [credential["id"] for credential in body["credential"]] == [
        assertion.ob3_credential["id"] for assertion in sorted(own, key=lambda a: a.issued_on)
    ]
    assert body["credential"][0] == own[0].ob3_credential  # with its proof, unchanged
    assert body["compactJwsString"] == []
    assert response["X-Total-Count"] == "2"


def test_revoked_and_unsigned_credentials_are_never_served(call, student, connect, badges_of):
    kept, revoked, pending = badges_of(student, 3)
    issuing.assertion_revoke(actor=UserFactory(is_superuser=True), assertion=revoked, reason="x")
    Assertion.objects.filter(pk=pending.pk).update(status=Assertion.Status.PENDING)
    body = call("get", "credentials", connect(student)["access_token"]).json()
    assert [credential["id"] for credential in body["credential"]] == [kept.ob3_credential["id"]]


def test_credentials_of_a_type_whose_consent_was_withdrawn_are_not_served(
    call, student, connect, issue
):
    statement = PrivacyStatementFactory(policy__legal_basis="a")
    institution, badge_type = statement.policy.institution, statement.policy.badge_type
    privacy_services.consent_record(user=student, statement=statement, agreed=True)
    badge_class = BadgeClassFactory(issuer__faculty__institution=institution)
    assert badge_class.badge_type == badge_type
    other = issue(email=student.email, recipient=student)
    withdrawn = issue(badge_class=badge_class, email=student.email, recipient=student)
    token = connect(student)["access_token"]
    assert (
        call("get", "credentials", token).json()["credential"][-1]["id"]
        == withdrawn.ob3_credential["id"]
    )

    privacy_services.consent_withdraw(user=student, institution=institution, badge_type=badge_type)
    served = [c["id"] for c in call("get", "credentials", token).json()["credential"]]
    assert served == [other.ob3_credential["id"]]

    # Even a badge of that type that is still issued (given before the withdrawal reached
    # it, or directly) stays back while the consent is withdrawn.
    late = issue(badge_class=badge_class, email=student.email, recipient=student)
    assert late.status == Assertion.Status.ISSUED
    served = [c["id"] for c in call("get", "credentials", token).json()["credential"]]
    assert served == [other.ob3_credential["id"]]
    assert ConsentRecord.objects.filter(user=student, kind=RecordKind.CONSENT).count() == 1


def test_pages_have_a_total_count_and_links(call, student, connect, badges_of):
    badges = sorted(badges_of(student, 5), key=lambda a: a.issued_on)
    token = connect(student)["access_token"]
    url = reverse("ob3:credentials")
    response = call("get", "credentials", token, path=f"{url}?limit=2&offset=2")
    ids = [credential["id"] for credential in response.json()["credential"]]
    assert ids == [badge.ob3_credential["id"] for badge in badges[2:4]]
    assert response["X-Total-Count"] == "5"
    links = dict(
        (
            part.split(";")[1].strip().removeprefix('rel="').removesuffix('"'),
            part.split(";")[0].strip(),
        )
        for part in response["Link"].split(",")
    )
    base = f"<http://testserver{url}"
    assert links == {
        "next": f"{base}?limit=2&offset=4>",
        "last": f"{base}?limit=2&offset=4>",
        "first": f"{base}?limit=2&offset=0>",
        "prev": f"{base}?limit=2&offset=0>",
    }
    last = call("get", "credentials", token, path=f"{url}?limit=2&offset=4")
    assert "next" not in last["Link"] and 'rel="prev"' in last["Link"]
    first = call("get", "credentials", token, path=url)
    assert 'rel="prev"' not in first["Link"] and len(first.json()["credential"]) == 5


def test_since_keeps_only_later_credentials(call, student, connect, badges_of):
    old = badges_of(student, issued_on=timezone.now() - timedelta(days=10))[0]
    new = badges_of(student)[0]
    token = connect(student)["access_token"]
    since = (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S")
    url = f"{reverse('ob3:credentials')}?since={since}"
    body = call("get", "credentials", token, path=url).json()
    assert [c["id"] for c in body["credential"]] == [new.ob3_credential["id"]]
    assert old.ob3_credential["id"] != new.ob3_credential["id"]


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=-1", "limit=ten", "offset=-2", "since=yesterday"]
)
def test_bad_query_parameters_are_refused(call, student, connect, query):
    token = connect(student)["access_token"]
    response = call("get", "credentials", token, path=f"{reverse('ob3:credentials')}?{query}")
    assert response.status_code == 400
    assert imsx_minor(response) == "invalid_query_parameter"


# --- upsertCredential ---------------------------------------------------------------------


def _post(call, token, body, content_type="application/json"):
    return call("post", "credentials", token, data=body, content_type=content_type)


def test_an_external_credential_is_verified_added_and_then_replaced(call, student, connect):
    token = connect(student)["access_token"]
    key = keys.generate_ed25519_key()
    credential = external_credential(student.email, key=key)
    created = _post(call, token, json.dumps(credential))
    assert created.status_code == 201, created.content
    assert created.json() == credential
    external = ExternalBadge.objects.get(owner=student)
    assert external.name == "Chess master" and external.issuer_name == "Other Academy"
    assert external.verification["valid"] is True

    newer = external_credential(
        student.email, name="Chess grandmaster", credential_id=credential["id"], key=key
    )
    replaced = _post(call, token, json.dumps(newer))
    assert replaced.status_code == 200
    external = ExternalBadge.objects.get(owner=student)
    assert external.name == "Chess grandmaster"

    # Another issuer's credential with the same id is another credential.
    same_id = external_credential(student.email, credential_id=credential["id"])
    assert _post(call, token, json.dumps(same_id)).status_code == 201
    assert _post(call, token, json.dumps(same_id)).status_code == 200
    assert ExternalBadge.objects.filter(owner=student).count() == 2

    listed = call("get", "credentials", token).json()["credential"]
    assert listed == [newer, same_id]


def test_a_credential_that_does_not_verify_is_refused(call, student, connect):
    token = connect(student)["access_token"]
    forged = external_credential(student.email)
    forged["name"] = "Forged"
    response = _post(call, token, json.dumps(forged))
    assert response.status_code == 400 and imsx_minor(response) == "invalid_data"
    assert "could not be verified" in response.json()["imsx_description"]
    assert not ExternalBadge.objects.exists()


def test_a_credential_of_another_student_is_refused(call, student, connect, badges_of):
    token = connect(student)["access_token"]
    theirs = external_credential("grace@example.org")
    assert _post(call, token, json.dumps(theirs)).status_code == 400
    issued_to_grace = badges_of(verified(UserFactory(email="grace@example.org")))[0]
    response = _post(call, token, json.dumps(issued_to_grace.ob3_credential))
    assert response.status_code == 400
    assert not ExternalBadge.objects.exists()


def test_the_students_own_credential_from_this_portal_is_already_there(
    call, student, connect, badges_of
):
    token = connect(student)["access_token"]
    own = badges_of(student)[0]
    response = _post(call, token, json.dumps(own.ob3_credential))
    assert response.status_code == 200 and response.json() == own.ob3_credential
    as_jwt = _post(call, token, own.ob3_jwt, content_type="text/plain")
    assert as_jwt.status_code == 200
    assert as_jwt["Content-Type"] == "text/plain" and as_jwt.content.decode() == own.ob3_jwt
    assert not ExternalBadge.objects.exists()


def test_open_badges_2_and_malformed_bodies_are_refused(call, student, connect, badges_of):
    token = connect(student)["access_token"]
    own = badges_of(student)[0]
    ob2 = _post(call, token, json.dumps(own.ob2_assertion))
    assert ob2.status_code == 400
    assert _post(call, token, "not json").status_code == 400
    assert _post(call, token, "[1, 2]").status_code == 400
    assert _post(call, token, "not a jws", content_type="text/plain").status_code == 400
    assert _post(call, token, "{}", content_type="application/xml").status_code == 400
    assert not ExternalBadge.objects.exists()


# --- getProfile and putProfile ------------------------------------------------------------


def test_the_profile_names_the_student(call, student, connect):
    profile = call("get", "profile", connect(student)["access_token"]).json()
    assert profile["type"] == ["Profile"]
    assert profile["id"].startswith("urn:uuid:")
    assert profile["name"] == "Ada Lovelace"
    assert profile["givenName"] == "Ada" and profile["familyName"] == "Lovelace"
    assert profile["email"] == "ada@example.org"


def test_an_unverified_email_address_is_not_handed_out(call, connect):
    unverified = UserFactory(email="unverified@example.org", verified=False)
    profile = call("get", "profile", connect(unverified)["access_token"]).json()
    assert "email" not in profile


def test_each_client_sees_another_identifier(call, student, register, connect):
    first = call("get", "profile", connect(student, app=register())["access_token"]).json()
    second = call(
        "get", "profile", connect(student, app=register(client_name="Other"))["access_token"]
    ).json()
    assert first["id"] != second["id"]
    again = call("get", "profile", connect(student, app=register())["access_token"]).json()
    assert again["id"] != first["id"]  # a new registration is another client


def test_a_client_changes_the_students_name(call, student, connect):
    token = connect(student)["access_token"]
    profile = call("get", "profile", token).json()
    profile.update(givenName="Augusta Ada", familyName="King", name="Augusta Ada King")
    response = call(
        "put", "profile", token, data=json.dumps(profile), content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["name"] == "Augusta Ada King"
    student.refresh_from_db()
    assert (student.first_name, student.last_name) == ("Augusta Ada", "King")


@pytest.mark.parametrize(
    "change",
    [
        {"email": "mallory@example.org"},
        {"id": "urn:uuid:00000000-0000-4000-8000-000000000000"},
        {"telephone": "111-222-3333"},
        {"type": ["Organization"]},
        {"givenName": 12},
        {"name": "Someone Else"},
        {"givenName": "x" * 200},
    ],
)
def test_profile_changes_the_server_cannot_keep_are_refused(call, student, connect, change):
    token = connect(student)["access_token"]
    profile = call("get", "profile", token).json() | change
    response = call(
        "put", "profile", token, data=json.dumps(profile), content_type="application/json"
    )
    assert response.status_code == 400 and imsx_minor(response) == "invalid_data"
    student.refresh_from_db()
    assert (student.first_name, student.last_name, student.email) == (
        "Ada",
        "Lovelace",
        "ada@example.org",
    )


# --- the student's connected apps ---------------------------------------------------------


def test_the_privacy_page_lists_connected_apps_and_disconnects_them(
    client, call, student, wallet, connect
):
    tokens = connect(student)
    client.force_login(student)
    page = client.get(reverse("privacy:overview")).content.decode()
    assert "Example Wallet" in page and "https://wallet.example/" in page
    assert str(scopes.DESCRIPTIONS[scopes.CREDENTIAL_READ]) in page

    response = client.post(reverse("apps:disconnect", args=[wallet["client_id"]]), follow=True)
    assert "Example Wallet can no longer see or change your badges" in response.content.decode()
    assert call("get", "credentials", tokens["access_token"]).status_code == 401
    refreshed = client.post(
        reverse("oauth:token"),
        {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        HTTP_AUTHORIZATION=basic(wallet["client_id"], wallet["client_secret"]),
    )
    assert refreshed.status_code == 400
    client.force_login(student)
    assert "Example Wallet" not in client.get(reverse("privacy:overview")).content.decode()


def test_disconnecting_touches_only_the_students_own_tokens(client, call, student, wallet, connect):
    other = verified(UserFactory(email="grace@example.org"))
    theirs = connect(other)["access_token"]
    connect(student)
    client.force_login(student)
    client.post(reverse("apps:disconnect", args=[wallet["client_id"]]))
    assert call("get", "credentials", theirs).status_code == 200


def test_disconnecting_needs_a_signed_in_post(client, wallet):
    url = reverse("apps:disconnect", args=[wallet["client_id"]])
    assert client.post(url).status_code == 302  # to the sign-in page
    client.force_login(UserFactory())
    assert client.get(url).status_code == 405
    assert client.post(reverse("apps:disconnect", args=["unknown"])).status_code == 404


def test_connected_apps_are_exported_and_erased_with_the_account(call, student, connect):
    from api.privacy_handlers import erase_user_data, export_user_data

    tokens = connect(student)
    exported, files = export_user_data(student)
    assert exported["connected_apps"][0]["name"] == "Example Wallet"
    assert set(exported["connected_apps"][0]["permissions"]) == set(scopes.OB_SCOPES)
    assert files == []
    privacy_services.account_erase(actor=student, user=student)
    assert not AccessToken.objects.exists() and not Grant.objects.exists()
    assert not RefreshToken.objects.exists()
    assert call("get", "credentials", tokens["access_token"]).status_code == 401
    assert erase_user_data(student) is None


def test_expired_tokens_are_cleared_by_the_periodic_job(student, connect):
    from api.tasks import clear_expired_tokens

    connect(student)
    with time_machine.travel(timezone.now() + timedelta(days=400), tick=False):
        clear_expired_tokens.delay()
    assert not AccessToken.objects.exists() and not RefreshToken.objects.exists()


def test_the_platform_admin_sees_clients_and_removes_one_with_its_permissions(
    client, call, student, wallet, connect
):
    from api.models import ClientRegistration
    from issuers.models import AuditEntry

    tokens = connect(student)
    registration = ClientRegistration.objects.get()
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    changelist = reverse("admin:api_clientregistration_changelist")
    listing = client.get(changelist).content.decode()
    assert "Example Wallet" in listing and "https://wallet.example/" in listing
    change_url = reverse("admin:api_clientregistration_change", args=[registration.pk])
    page = client.get(change_url).content.decode()
    assert wallet["client_id"] in page and wallet["client_secret"] not in page
    assert tokens["access_token"] not in page
    client.post(changelist, {"action": "remove", "_selected_action": [registration.pk]})
    assert not ClientRegistration.objects.exists()
    assert not AccessToken.objects.exists() and not RefreshToken.objects.exists()
    assert call("get", "credentials", tokens["access_token"]).status_code == 401
    removed = AuditEntry.objects.get(action="oauth_client_remove")
    assert removed.actor == admin_user and removed.summary == "Example Wallet"


def test_registering_allowing_and_disconnecting_are_in_the_audit_trail(
    client, student, wallet, connect
):
    from issuers.models import AuditEntry

    connect(student)
    client.force_login(student)
    client.post(reverse("apps:disconnect", args=[wallet["client_id"]]))
    entries = {entry.action: entry for entry in AuditEntry.objects.all()}
    assert entries["oauth_client_register"].actor is None
    assert entries["oauth_client_authorise"].subject == student
    assert entries["oauth_client_authorise"].data["scope"] == " ".join(scopes.OB_SCOPES)
    assert entries["oauth_client_disconnect"].actor == student


def test_upserting_a_credential_whose_key_redirects_inside_fetches_nothing_inside(
    call, student, connect, settings, servers, dns
):
    settings.VERIFY_ALLOW_FETCH = True
    token = connect(student)["access_token"]
    credential = external_credential(student.email)
    method = f"http://badges.other.example:{servers['public'].port}/to-internal-name#key-1"
    credential["proof"]["verificationMethod"] = method
    response = _post(call, token, json.dumps(credential))
    assert response.status_code == 400
    assert servers["public"].requests == ["/to-internal-name"]
    assert servers["internal"].requests == []
    assert "127.0.0.1" not in response.json()["imsx_description"]
    assert not ExternalBadge.objects.exists()
