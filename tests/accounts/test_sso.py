"""Sign-in through SURFconext (staff) and eduID (students) against a real OpenID Connect
provider process: the whole authorization-code flow with PKCE over HTTP."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import InstitutionIdentity
from api import services as api_services
from badges.awarding import awards, bulk
from badges.models import Assertion, Award
from edubadges.settings import oidc_app
from issuers import services as issuer_services
from issuers.models import Membership
from issuers.roles import Role
from tests.factories import PASSWORD, InstitutionFactory, UserFactory
from tests.oidc import local

pytestmark = pytest.mark.django_db


def staff_claims(eppn: str, schac_home: str, **extra) -> dict:
    return {
        "name": "Jan de Vries",
        "given_name": "Jan",
        "family_name": "de Vries",
        "email": eppn,
        "email_verified": True,
        "eduperson_principal_name": eppn,
        "schac_home_organization": schac_home,
        **extra,
    }


def test_staff_of_an_onboarded_institution_get_the_role_invited_for_their_eppn(
    client, world, sign_in_with
):
    institution = world["a"]["institution"]
    admin = UserFactory(is_superuser=True)
    issuer_services.invitation_create(
        actor=admin,
        institution=institution,
        issuer=world["a"]["issuer"],
        eppn="j.devries@a.example",
        role=Role.AWARDER,
    )
    client.get("/")
    anonymous_session = client.session.session_key
    response = sign_in_with(
        "surfconext", "surf-jan", staff_claims("j.devries@a.example", "a.example")
    )
    assert response.status_code == 302 and response["Location"] == reverse("staff:dashboard")
    user = SocialAccount.objects.get(provider="surfconext", uid="surf-jan").user
    assert user.eppn == "j.devries@a.example"
    assert InstitutionIdentity.objects.get(user=user).schac_home == "a.example"
    assert Membership.objects.get(user=user).role == Role.AWARDER
    assert client.get(reverse("staff:dashboard")).status_code == 200
    # The session was rotated on sign-in.
    assert client.session.session_key != anonymous_session


def test_staff_of_another_institution_get_no_role_of_this_one_and_no_staff_page(
    client, world, sign_in_with
):
    # An invitation at institution a for an eppn of institution b is not taken by b's SSO.
    issuer_services.invitation_create(
        actor=UserFactory(is_superuser=True),
        institution=world["a"]["institution"],
        eppn="t.teacher@b.example",
        role=Role.ADMIN,
    )
    response = sign_in_with(
        "surfconext",
        "surf-teacher-b",
        staff_claims("t.teacher@b.example", "b.example"),
        next_url=reverse("staff:dashboard"),
    )
    assert response["Location"] == reverse("accounts:no_access")
    assert not Membership.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "Ask your admin for access" in page and "t.teacher@b.example" in page
    assert client.get(reverse("staff:dashboard")).status_code == 403


def test_someone_from_an_institution_that_is_not_onboarded_is_told_so(client, db, sign_in_with):
    response = sign_in_with(
        "surfconext", "surf-elders", staff_claims("p.jansen@elders.example", "elders.example")
    )
    page = client.get(response["Location"]).content.decode()
    assert "Your institution is not connected to edubadges" in page
    assert "elders.example" in page
    assert client.get(reverse("staff:dashboard")).status_code == 403


def test_an_eppn_that_does_not_fit_the_institutions_pattern_is_not_kept(
    client, world, sign_in_with
):
    institution = world["a"]["institution"]
    institution.eppn_pattern = r"^[a-z]+@a\.example$"
    institution.save()
    issuer_services.invitation_create(
        actor=UserFactory(is_superuser=True),
        institution=institution,
        eppn="x-1@a.example",
        role=Role.ADMIN,
    )
    response = sign_in_with("surfconext", "surf-x", staff_claims("x-1@a.example", "a.example"))
    assert response["Location"] == reverse("accounts:no_access")
    assert not InstitutionIdentity.objects.exists()
    assert not Membership.objects.exists()


def test_a_student_signs_in_with_eduid_finds_the_offer_to_their_eppn_and_claims_it(
    client, ready, sign_in_with, django_capture_on_commit_callbacks
):
    awarder = UserFactory()
    Membership.objects.create(user=awarder, role=Role.AWARDER, issuer=ready["a"]["issuer"])
    with django_capture_on_commit_callbacks(execute=True):
        award = awards.award_create(
            actor=awarder, badge_class=ready["a"]["badge_class"], eppn="s.visser@a.example"
        )
    response = sign_in_with(
        "eduid",
        "eduid-sanne",
        {
            "name": "Sanne Visser",
            "email": "sanne@eduid.example",
            "email_verified": True,
            "eduperson_principal_name": ["s.visser@a.example"],
            "schac_home_organization": ["a.example"],
        },
    )
    assert response["Location"] == reverse("backpack:list")
    user = SocialAccount.objects.get(provider="eduid", uid="eduid-sanne").user
    assert EmailAddress.objects.get(user=user, email="sanne@eduid.example").verified
    backpack = client.get(reverse("backpack:list")).content.decode()
    claim_url = reverse("students:claim", args=[award.claim_token])
    assert claim_url in backpack
    assert "Read and confirm" in client.get(claim_url).content.decode()
    client.post(
        reverse("privacy:consent", args=[ready["a"]["institution"].pk, "extracurricular"]),
        {"statement": ready["a"]["statements"]["extracurricular"].pk, "next": claim_url},
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(claim_url)["Location"] == reverse("backpack:list")
    award.refresh_from_db()
    assert award.status == Award.Status.CLAIMED and award.recipient == user
    assertion = Assertion.objects.get(award=award)
    assert assertion.recipient_identity == "sanne@eduid.example"


def test_eduid_signs_in_to_the_account_of_an_address_it_reports_verified(client, db, sign_in_with):
    existing = UserFactory(email="pieter@student.example")
    response = sign_in_with(
        "eduid",
        "eduid-pieter",
        {"email": "pieter@student.example", "email_verified": True, "name": "Pieter"},
    )
    assert response.status_code == 302
    assert SocialAccount.objects.get(provider="eduid").user == existing
    assert client.session["_auth_user_id"] == str(existing.pk)
    existing.refresh_from_db()
    assert existing.has_usable_password()  # the address was the account's own, verified


def test_a_squatter_who_registered_the_address_unverified_is_locked_out(client, db, sign_in_with):
    squatter = UserFactory(email="victim@student.example", verified=False)
    sign_in_with(
        "eduid", "eduid-victim", {"email": "victim@student.example", "email_verified": True}
    )
    squatter.refresh_from_db()
    assert SocialAccount.objects.get(provider="eduid").user == squatter
    assert not squatter.has_usable_password()


def test_linking_refuses_an_address_eduid_did_not_verify_until_the_mailbox_is_proven(
    client, db, sign_in_with, mailoutbox, django_capture_on_commit_callbacks
):
    existing = UserFactory(email="anna@student.example")
    with django_capture_on_commit_callbacks(execute=True):  # the email goes via the outbox
        response = sign_in_with(
            "eduid", "eduid-anna", {"email": "anna@student.example", "email_verified": False}
        )
    assert response["Location"] == reverse("accounts:link_sent")
    assert "_auth_user_id" not in client.session
    assert not SocialAccount.objects.exists()
    (message,) = mailoutbox
    assert message.to == ["anna@student.example"]
    link = local(re.search(r"https?://\S+/accounts/link/\S+/", message.body).group(0))
    # Another browser with the link connects nothing.
    from django.test import Client

    assert Client().post(link).status_code == 400
    assert not SocialAccount.objects.exists()
    # The person who signed in opens it: connected, signed in.
    assert client.get(link).status_code == 200
    response = client.post(link)
    assert response.status_code == 302
    assert SocialAccount.objects.get(provider="eduid", uid="eduid-anna").user == existing
    assert client.session["_auth_user_id"] == str(existing.pk)


def test_a_forged_state_is_refused(client, db, sso):
    start = client.post(reverse("openid_connect_login", args=["eduid"]))
    sso["eduid"].set_user(
        "eduid-mallory", {"email": "mallory@eduid.example", "email_verified": True}
    )
    callback = sso["eduid"].authorize(start["Location"], "eduid-mallory")
    query = parse_qs(urlsplit(callback).query)
    forged = f"{urlsplit(callback).path}?code={query['code'][0]}&state=forged-state"
    page = client.get(forged)
    assert page.status_code == 401 and "Signing in did not work" in page.content.decode()
    assert "_auth_user_id" not in client.session
    assert not SocialAccount.objects.exists()


def test_a_replayed_code_is_refused(client, db, sso, sign_in_with):
    claims = {"email": "replay@eduid.example", "email_verified": True}
    sso["eduid"].set_user("eduid-replay", claims)
    start = client.post(reverse("openid_connect_login", args=["eduid"]))
    callback = local(sso["eduid"].authorize(start["Location"], "eduid-replay"))
    assert client.get(callback).status_code == 302
    client.post(reverse("account_logout"))
    # The same callback again: its state is spent.
    assert "Signing in did not work" in client.get(callback).content.decode()
    # A fresh state with the old code: the provider refuses the code.
    code = parse_qs(urlsplit(callback).query)["code"][0]
    start = client.post(reverse("openid_connect_login", args=["eduid"]))
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
    page = client.get(f"{urlsplit(callback).path}?code={code}&state={state}")
    assert "Signing in did not work" in page.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_id_token_of_another_issuer_is_refused(client, db, settings, sso):
    # The provider answers as http://localhost:port, the portal expects http://127.0.0.1:port.
    app = settings.SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"][1]
    app["settings"]["server_url"] = sso["eduid"].url.replace("127.0.0.1", "localhost")
    sso["eduid"].set_user("eduid-other", {"email": "other@eduid.example", "email_verified": True})
    start = client.post(reverse("openid_connect_login", args=["eduid"]))
    callback = sso["eduid"].authorize(start["Location"], "eduid-other")
    page = client.get(local(callback))
    assert "Signing in did not work" in page.content.decode()
    assert "_auth_user_id" not in client.session
    assert not SocialAccount.objects.exists()


def test_the_provider_requires_pkce(sso):
    provider = sso["surfconext"]
    plain = (
        f"{provider.url}/oauth2/authorize?client_id=x&response_type=code&scope=openid"
        "&redirect_uri=http://testserver/cb&state=s"
    )
    assert requests.get(plain, timeout=10).status_code == 400
    provider.set_user("pkce", {"email": "pkce@example.org"})
    challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"  # RFC 7636 appendix B
    callback = provider.authorize(
        f"{plain}&code_challenge={challenge}&code_challenge_method=S256", "pkce"
    )
    code = parse_qs(urlsplit(callback).query)["code"][0]
    token = requests.post(
        f"{provider.url}/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "http://testserver/cb",
            "client_id": "x",
            "client_secret": "y",
            "code_verifier": "wrong-verifier-wrong-verifier-wrong-verifier",
        },
        timeout=10,
    )
    assert token.status_code == 400 and token.json()["error"] == "invalid_grant"


def test_sso_staff_who_set_up_totp_are_not_asked_twice(client, world, sign_in_with):
    from allauth.mfa.models import Authenticator

    user = UserFactory(email="inge@a.example")
    Membership.objects.create(user=user, role=Role.ADMIN, institution=world["a"]["institution"])
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    response = sign_in_with("surfconext", "surf-inge", staff_claims("inge@a.example", "a.example"))
    assert response["Location"] == reverse("staff:dashboard")
    assert client.session["_auth_user_id"] == str(user.pk)


def test_an_institution_can_switch_off_password_sign_in_for_its_staff(client, world, sign_in_with):
    institution = world["a"]["institution"]
    staff = UserFactory(email="teacher@a.example")
    Membership.objects.create(user=staff, role=Role.AWARDER, institution=institution)
    student = UserFactory(email="student@a.example")
    institution.staff_password_login = False
    institution.save()
    response = client.post(reverse("account_login"), {"login": staff.email, "password": PASSWORD})
    assert response.status_code == 403
    assert "Sign in with SURFconext" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Students of that institution still sign in with their password.
    response = client.post(reverse("account_login"), {"login": student.email, "password": PASSWORD})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(student.pk)
    client.post(reverse("account_logout"))
    # The staff member signs in through SURFconext.
    response = sign_in_with(
        "surfconext", "surf-teacher", staff_claims("teacher@a.example", "a.example")
    )
    assert response["Location"] == reverse("staff:dashboard")
    assert client.session["_auth_user_id"] == str(staff.pk)


def test_the_sign_in_page_offers_both_buttons_only_when_configured(client, db, settings, sso):
    page = client.get(reverse("account_login")).content.decode()
    assert "Sign in with SURFconext" in page and "Sign in with eduID" in page
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": []}}
    page = client.get(reverse("account_login")).content.decode()
    assert "SURFconext" not in page and "eduID" not in page


def test_an_unknown_institution_cannot_be_added_by_a_pattern_mismatch(db):
    # A guard for the fixtures above: the world fixture's institutions have no pattern.
    assert InstitutionFactory(schac_home="c.example").eppn_pattern == ""


def test_from_the_claim_link_a_student_signs_in_with_eduid_and_comes_back(
    client, ready, awarder, sign_in_with, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        award = awards.award_create(
            actor=awarder, badge_class=ready["a"]["badge_class"], email="lotte@student.example"
        )
    claim_path = reverse("students:claim", args=[award.claim_token])
    assert "Sign in with eduID" in client.get(claim_path).content.decode()
    response = sign_in_with(
        "eduid",
        "eduid-lotte",
        {"email": "lotte.private@eduid.example", "email_verified": True},
        next_url=claim_path,
    )
    assert response["Location"] == claim_path
    assert "Read and confirm" in client.get(claim_path).content.decode()


@pytest.mark.parametrize("channel", ["bulk CSV", "REST API"])
def test_an_offer_to_an_eppn_from_a_bulk_csv_or_the_api_waits_for_the_eduid_student(
    client, ready, awarder, admin, sign_in_with, django_capture_on_commit_callbacks, channel
):
    badge_class = ready["a"]["badge_class"]
    with django_capture_on_commit_callbacks(execute=True):
        if channel == "bulk CSV":
            upload = bulk.bulk_award_upload(
                actor=awarder,
                badge_class=badge_class,
                file=SimpleUploadedFile(
                    "students.csv", b"eppn;name\nS.Bakker@a.example;Sem Bakker\n", "text/csv"
                ),
            )
            bulk.bulk_award_prepare(actor=awarder, bulk=upload, mapping=upload.mapping)
            bulk.bulk_award_start(actor=awarder, bulk=upload)
        else:
            from rest_framework.test import APIClient

            _api_client, token = api_services.api_client_create(
                actor=admin, institution=ready["a"]["institution"], name="LMS"
            )
            http = APIClient()
            http.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
            response = http.post(
                reverse("api:award_create", args=[badge_class.public_id]),
                {"eppn": "S.Bakker@a.example", "recipient_name": "Sem Bakker"},
                format="json",
                HTTP_IDEMPOTENCY_KEY="sis-award-1",
            )
            assert response.status_code == 201, response.json()
    award = Award.objects.get(recipient_eppn="s.bakker@a.example")
    assert award.status == Award.Status.OFFERED and award.recipient_email == ""

    sign_in_with(
        "eduid",
        "eduid-sem",
        {
            "email": "sem@eduid.example",
            "email_verified": True,
            "eduperson_principal_name": ["s.bakker@a.example"],
            "schac_home_organization": ["a.example"],
        },
    )
    claim_url = reverse("students:claim", args=[award.claim_token])
    assert claim_url in client.get(reverse("backpack:list")).content.decode()
    client.post(
        reverse("privacy:consent", args=[ready["a"]["institution"].pk, "extracurricular"]),
        {"statement": ready["a"]["statements"]["extracurricular"].pk, "next": claim_url},
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(claim_url)
    award.refresh_from_db()
    assert award.status == Award.Status.CLAIMED
    assert award.recipient == SocialAccount.objects.get(uid="eduid-sem").user


def test_a_student_known_through_eduid_is_mailed_an_offer_to_their_eppn(
    client, ready, awarder, sign_in_with, mailoutbox, django_capture_on_commit_callbacks
):
    sign_in_with(
        "eduid",
        "eduid-noor",
        {
            "email": "noor@eduid.example",
            "email_verified": True,
            "eduperson_principal_name": ["n.smit@a.example"],
            "schac_home_organization": ["a.example"],
        },
    )
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        awards.award_create(
            actor=awarder, badge_class=ready["a"]["badge_class"], eppn="n.smit@a.example"
        )
    (message,) = mailoutbox
    assert message.to == ["noor@eduid.example"]


def test_an_institution_cannot_sign_in_to_another_institutions_staff_account(
    client, world, sign_in_with, mailoutbox
):
    """SURFconext vouches for the institution, not for whatever address it passes on."""
    admin_of_a = UserFactory(email="admin@a.example")
    Membership.objects.create(
        user=admin_of_a, role=Role.ADMIN, institution=world["a"]["institution"]
    )
    response = sign_in_with(
        "surfconext",
        "surf-b-someone",
        staff_claims("someone@b.example", "b.example", email="admin@a.example"),
    )
    assert response["Location"] == reverse("accounts:link_sent")
    assert "_auth_user_id" not in client.session
    assert not SocialAccount.objects.exists()
    admin_of_a.refresh_from_db()
    assert admin_of_a.has_usable_password()


def test_switching_off_password_sign_in_for_staff_leaves_the_platform_admins_in(client, world):
    institution = world["a"]["institution"]
    institution.staff_password_login = False
    institution.save()
    platform_admin = UserFactory(is_staff=True, is_superuser=True)
    response = client.post(
        reverse("account_login"), {"login": platform_admin.email, "password": PASSWORD}
    )
    assert response["Location"] == reverse("accounts:second_factor_required")
    assert client.session["_auth_user_id"] == str(platform_admin.pk)


def _institution_form(institution, **changes) -> dict:
    data = {
        "name_nl": institution.name_nl,
        "name_en": institution.name_en,
        "description_nl": institution.description_nl,
        "description_en": institution.description_en,
        "website": institution.website,
        "linkedin_organisation_id": institution.linkedin_organisation_id,
        "eppn_pattern": institution.eppn_pattern,
        **changes,
    }
    return {name: value for name, value in data.items() if value is not None}


def test_an_institution_admin_switches_off_password_sign_in_for_staff_on_the_staff_page(
    client, world, settings, oidc_providers
):
    from issuers.models import AuditEntry

    institution = world["a"]["institution"]
    admin = UserFactory()
    Membership.objects.create(user=admin, role=Role.ADMIN, institution=institution)
    client.force_login(admin)
    url = reverse("staff:institution_edit", args=[institution.pk])
    # Without SURFconext on the platform, staff would be locked out: refused.
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": []}}
    page = client.post(url, _institution_form(institution))
    assert page.status_code == 200
    assert "Sign-in through SURFconext is not set up" in page.content.decode()
    institution.refresh_from_db()
    assert institution.staff_password_login
    # With SURFconext: switched off (an unticked box), and in the audit trail.
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                oidc_app(
                    "surfconext", "SURFconext", oidc_providers["surfconext"].url, "id", "secret"
                )
            ]
        }
    }
    response = client.post(url, _institution_form(institution))
    assert response.status_code == 302
    institution.refresh_from_db()
    assert not institution.staff_password_login
    assert AuditEntry.objects.filter(action="institution_update", object_id=str(institution.pk))


def test_an_institution_admin_from_surfconext_is_not_made_to_set_up_a_second_factor(
    client, world, sign_in_with
):
    admin = UserFactory(email="ruud@a.example")
    Membership.objects.create(user=admin, role=Role.ADMIN, institution=world["a"]["institution"])
    response = sign_in_with("surfconext", "surf-ruud", staff_claims("ruud@a.example", "a.example"))
    assert response["Location"] == reverse("staff:dashboard")
    assert client.get(reverse("staff:dashboard")).status_code == 200
    # A password sign-in of the same admin does ask for one.
    client.post(reverse("account_logout"))
    admin.set_password(PASSWORD)
    admin.save()
    response = client.post(reverse("account_login"), {"login": admin.email, "password": PASSWORD})
    assert response["Location"] == reverse("accounts:second_factor_required")


def test_cancelling_at_the_provider_says_so_and_offers_to_sign_in_again(client, db, sso):
    start = client.post(reverse("openid_connect_login", args=["eduid"]))
    query = parse_qs(urlsplit(start["Location"]).query)
    callback = query["redirect_uri"][0]
    page = client.get(
        f"{urlsplit(callback).path}?error=access_denied&state={query['state'][0]}", follow=True
    ).content.decode()
    assert "Signing in was cancelled" in page
    assert reverse("account_login") in page
    assert "_auth_user_id" not in client.session


def _eduid_claims(email: str, *eppns: str, homes=("a.example",)) -> dict:
    return {
        "name": "Sanne Visser",
        "email": email,
        "email_verified": True,
        "eduperson_principal_name": list(eppns),
        "schac_home_organization": list(homes),
    }


def test_a_student_known_through_eduid_signing_in_through_surfconext_keeps_one_account(
    client, world, sign_in_with
):
    sign_in_with("eduid", "eduid-sanne", _eduid_claims("sanne@eduid.example", "s.visser@a.example"))
    student = SocialAccount.objects.get(provider="eduid").user
    client.logout()
    # SURFconext releases another address (the institution's), which no account holds.
    response = sign_in_with(
        "surfconext", "surf-sanne", staff_claims("s.visser@a.example", "a.example")
    )
    assert response.status_code == 302
    assert SocialAccount.objects.get(provider="surfconext").user == student
    assert client.session["_auth_user_id"] == str(student.pk)
    assert get_user_model().objects.count() == 1
    assert InstitutionIdentity.objects.get(eppn="s.visser@a.example").user == student


def test_staff_known_through_surfconext_signing_in_through_eduid_keep_one_account(
    client, world, sign_in_with
):
    sign_in_with("surfconext", "surf-jan", staff_claims("j.devries@a.example", "a.example"))
    teacher = SocialAccount.objects.get(provider="surfconext").user
    client.logout()
    sign_in_with("eduid", "eduid-jan", _eduid_claims("jan@eduid.example", "j.devries@a.example"))
    assert SocialAccount.objects.get(provider="eduid").user == teacher
    assert client.session["_auth_user_id"] == str(teacher.pk)


@pytest.mark.parametrize(
    "claims",
    [
        # The eppn of an institution that is not onboarded names no one here.
        staff_claims("s.visser@elders.example", "elders.example"),
        # An eppn outside the domain of the institution the person signed in at.
        staff_claims("s.visser@b.example", "a.example"),
    ],
)
def test_an_eppn_outside_an_onboarded_institution_links_no_account(
    client, world, sign_in_with, claims
):
    holder = UserFactory(email="holder@elsewhere.example")
    InstitutionIdentity.objects.create(
        user=holder, eppn=claims["eduperson_principal_name"], schac_home="elders.example"
    )
    sign_in_with("surfconext", "surf-other", {**claims, "email": "other@a.example"})
    assert SocialAccount.objects.get(provider="surfconext").user != holder


def test_an_eppn_that_does_not_fit_the_pattern_links_no_account(client, world, sign_in_with):
    institution = world["a"]["institution"]
    institution.eppn_pattern = r"^[a-z.]+@a\.example$"
    institution.save()
    holder = UserFactory()
    InstitutionIdentity.objects.create(user=holder, eppn="x-1@a.example", schac_home="a.example")
    sign_in_with("eduid", "eduid-x", _eduid_claims("x@eduid.example", "x-1@a.example"))
    assert SocialAccount.objects.get(provider="eduid").user != holder


def test_eppns_of_two_accounts_link_neither(client, world, sign_in_with):
    first, second = UserFactory(), UserFactory()
    InstitutionIdentity.objects.create(
        user=first, eppn="s.visser@a.example", schac_home="a.example"
    )
    InstitutionIdentity.objects.create(
        user=second, eppn="s.visser@b.example", schac_home="b.example"
    )
    sign_in_with(
        "eduid",
        "eduid-both",
        _eduid_claims(
            "both@eduid.example",
            "s.visser@a.example",
            "s.visser@b.example",
            homes=("a.example", "b.example"),
        ),
    )
    assert SocialAccount.objects.get(provider="eduid").user not in (first, second)


def test_an_eppn_of_a_deactivated_account_links_nothing(client, world, sign_in_with):
    holder = UserFactory(is_active=False)
    InstitutionIdentity.objects.create(
        user=holder, eppn="s.visser@a.example", schac_home="a.example"
    )
    sign_in_with("eduid", "eduid-new", _eduid_claims("new@eduid.example", "s.visser@a.example"))
    assert SocialAccount.objects.get(provider="eduid").user != holder
