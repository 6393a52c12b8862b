"""Account erasure by the student: personal data gone from every table at once, badges keep
their hashed identity for verification and the institution's counts, nothing leads to the
person any more."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models.functions import Cast
from django.urls import reverse

from badges import models as badge_models
from badges.models import Assertion, Award, Enrollment
from issuers import services as issuer_services
from issuers.badge_types import BadgeType
from issuers.models import AuditEntry, Invitation, Membership
from notifications.models import Notification
from privacy import services
from privacy.models import ConsentRecord, DataExport, Objection, PrivacyAction
from tests.factories import PASSWORD, UserFactory
from tests.privacy.factories import AssertionFactory, AwardFactory, EnrollmentFactory, record

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def _identifiers(user) -> dict[str, str]:
    return {
        "email": user.email,
        "first name": user.first_name,
        "last name": user.last_name,
        "eppn": user.eppn,
    }


def find_in_database(needles: dict[str, str]) -> list[str]:
    """Every (model, field, what) where one of ``needles`` occurs, in every text, JSON and
    binary column of every model."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            column = field.name
            queryset = model._default_manager.all()
            if isinstance(field, models.JSONField):
                queryset = queryset.annotate(as_text=Cast(column, models.TextField()))
                column = "as_text"
            elif isinstance(field, models.BinaryField):
                for value in queryset.exclude(**{f"{column}__isnull": True}).values_list(
                    column, flat=True
                ):
                    for what, needle in needles.items():
                        if needle.lower().encode() in bytes(value).lower():
                            found.append(f"{model._meta.label}.{field.name}: {what}")
                continue
            elif not isinstance(field, TEXT_FIELDS):
                continue
            for what, needle in needles.items():
                if queryset.filter(**{f"{column}__icontains": needle}).exists():
                    found.append(f"{model._meta.label}.{field.name}: {what}")
    return found


@pytest.fixture
def life(student, campus, django_capture_on_commit_callbacks):
    """A student who used everything: consents, an objection, an export, badges, offers,
    enrolments, a role and an invitation, an email address in allauth, an admin log line."""
    badges = campus["badges"]
    admin = campus["admin"]
    EmailAddress.objects.get_or_create(
        user=student, email=student.email, defaults={"verified": True, "primary": True}
    )
    record(student, campus["statements"][BadgeType.EXTRACURRICULAR])
    record(student, campus["statements"][BadgeType.MICROCREDENTIAL])
    award = AwardFactory(
        badge_class=badges[BadgeType.EXTRACURRICULAR],
        recipient=student,
        recipient_email=student.email,
        recipient_name="Griselda Quackenbush",
        narrative="Griselda organised the open day.",
        status=Award.Status.CLAIMED,
    )
    AssertionFactory(badge_class=badges[BadgeType.EXTRACURRICULAR], recipient=student, award=award)
    AssertionFactory(badge_class=badges[BadgeType.MICROCREDENTIAL], recipient=student)
    AssertionFactory(
        badge_class=badges[BadgeType.MICROCREDENTIAL],
        recipient=student,
        status=Assertion.Status.PENDING,
    )
    AwardFactory(badge_class=badges[BadgeType.DIGITAL_EDUCATION], recipient_email=student.email)
    AwardFactory(
        badge_class=badges[BadgeType.DIGITAL_EDUCATION],
        recipient_email="",
        recipient_eppn=student.eppn,
        recipient_name="G. Quackenbush",
    )
    EnrollmentFactory(
        badge_class=badges[BadgeType.DIGITAL_EDUCATION],
        user=student,
        narrative="I am Griselda Quackenbush, please.",
        denial_reason="Quackenbush did not finish the module.",
        status=Enrollment.Status.DENIED,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.objection_record(
            user=student,
            institution=campus["institution"],
            badge_type=BadgeType.MICROCREDENTIAL,
            reason="As Griselda Quackenbush (gquackenbush7@hogeschool.example) I object.",
        )
        services.data_export_request(user=student)
        issuer_services.membership_grant(
            actor=admin, user=student, role="viewer", scope=campus["issuer"]
        )
    with django_capture_on_commit_callbacks(execute=False):
        issuer_services.invitation_create(
            actor=admin, email=student.email, institution=campus["institution"], role="viewer"
        )
    _bulk_upload_and_notification(student, award)
    LogEntry.objects.create(
        user=admin,
        content_type=ContentType.objects.get_for_model(student),
        object_id=str(student.pk),
        object_repr=str(student),
        action_flag=CHANGE,
        change_message="Changed the eppn of Griselda Quackenbush.",
    )
    return student


def _bulk_upload_and_notification(student, award) -> None:
    """A CSV upload naming the student and a failed notification quoting the address (from
    the awarding flows, where they exist)."""
    bulk_award = getattr(badge_models, "BulkAward", None)
    if bulk_award is None:
        return
    upload = bulk_award.objects.create(
        badge_class=award.badge_class,
        filename="students.csv",
        source=(
            "email,name\n"
            f"{student.email},Griselda Quackenbush\n"
            "someone.else@student.example,Someone Else\n"
        ),
    )
    badge_models.BulkAwardRow.objects.create(
        bulk_award=upload,
        line=2,
        email=student.email,
        name="Griselda Quackenbush",
        narrative="Griselda did it.",
        award=award,
    )
    Notification.objects.create(
        key=f"privacy-test-{award.pk}",
        kind="award_offered",
        target=award,
        last_error=f"550 {student.email}: mailbox unavailable",
    )


def _erase_through_the_page(client, student):
    client.force_login(student)
    return client.post(
        reverse("privacy:account_delete"), {"password": PASSWORD, "confirm": "on"}, follow=True
    )


def test_before_erasure_the_scan_finds_the_student_everywhere(life):
    found = find_in_database(_identifiers(life))
    for place in (
        "accounts.User.email",
        "account.EmailAddress.email",
        "badges.Award.recipient_email",
        "badges.Assertion.recipient_name",
        "badges.AssertionDocuments.ob3_credential",
        "badges.Enrollment.denial_reason",
        "privacy.Objection.reason",
        "issuers.AuditEntry.summary",
        "issuers.Invitation.email",
        "admin.LogEntry.object_repr",
    ):
        assert any(hit.startswith(place) for hit in found), place
    if hasattr(badge_models, "BulkAward"):
        assert any(hit.startswith("badges.BulkAward.source") for hit in found)
        assert any(hit.startswith("badges.BulkAwardRow.email") for hit in found)


def test_after_erasure_no_text_column_of_any_table_holds_email_name_or_eppn(client, life):
    identifiers = _identifiers(life)
    _erase_through_the_page(client, life)
    assert find_in_database(identifiers) == []


def test_erasure_signs_out_and_the_account_can_no_longer_sign_in(client, life):
    email = life.email
    response = _erase_through_the_page(client, life)
    assert "Your account and your personal data have been erased." in response.content.decode()
    assert response.wsgi_request.user.is_anonymous
    assert client.get(reverse("privacy:overview")).status_code == 302
    assert not client.login(email=email, password=PASSWORD)
    erased = type(life).objects.get(pk=life.pk)
    assert not erased.is_active
    assert not erased.has_usable_password()
    assert erased.email.endswith("@erased.invalid")
    assert (erased.first_name, erased.last_name, erased.eppn) == ("", "", "")


def test_erased_address_can_make_a_new_account(client, life):
    email = life.email
    _erase_through_the_page(client, life)
    assert UserFactory(email=email).pk != life.pk


def test_badges_keep_badge_class_and_hashed_identity_but_no_link_to_the_person(
    client, life, campus
):
    before = {
        assertion.pk: (assertion.badge_class_id, assertion.identity_hash, assertion.salt)
        for assertion in Assertion.objects.all()
    }
    counts = {
        "assertions": Assertion.objects.count(),
        "awards": Award.objects.count(),
        "enrollments": Enrollment.objects.count(),
    }
    _erase_through_the_page(client, life)
    after = {
        assertion.pk: (assertion.badge_class_id, assertion.identity_hash, assertion.salt)
        for assertion in Assertion.objects.all()
    }
    assert after == before
    assert counts == {
        "assertions": Assertion.objects.count(),
        "awards": Award.objects.count(),
        "enrollments": Enrollment.objects.count(),
    }
    assert not Assertion.objects.filter(recipient__isnull=False).exists()
    assert not Award.objects.filter(recipient__isnull=False).exists()
    assert not Assertion.objects.filter(is_public=True).exists()
    issued = Assertion.objects.filter(status=Assertion.Status.ISSUED)
    assert issued.count() == 2  # they stay verifiable
    pending = Assertion.objects.get(status=Assertion.Status.REVOKED)
    assert pending.revocation_reason.startswith("the recipient's account was erased")
    assert set(Award.objects.values_list("status", flat=True)) == {
        Award.Status.CLAIMED,
        Award.Status.WITHDRAWN,
    }


def test_erasure_removes_exports_roles_invitations_and_allauth_addresses(client, life):
    email = life.email
    _erase_through_the_page(client, life)
    assert not DataExport.objects.exists()
    assert not Membership.objects.filter(user=life).exists()
    assert not Invitation.objects.filter(email__iexact=email).exists()
    assert not EmailAddress.objects.filter(email__iexact=email).exists()
    assert not EmailAddress.objects.filter(user=life).exists()
    # Proof of what was agreed stays, without anything that names the person.
    assert ConsentRecord.objects.filter(user=life).count() == 2
    assert Objection.objects.get(user=life).reason == ""


def test_erasure_is_in_the_privacy_audit_log(client, life):
    _erase_through_the_page(client, life)
    entry = AuditEntry.objects.get(action=PrivacyAction.ACCOUNT_ERASED)
    assert entry.subject_id == life.pk
    assert entry.data == {"by": "self"}


def test_wrong_password_erases_nothing(client, life):
    client.force_login(life)
    response = client.post(
        reverse("privacy:account_delete"), {"password": "wrong", "confirm": "on"}
    )
    assert response.status_code == 200
    assert "This is not your password." in response.content.decode()
    assert type(life).objects.get(pk=life.pk).email == life.email


def test_erasure_needs_the_confirmation_tick(client, life):
    client.force_login(life)
    response = client.post(reverse("privacy:account_delete"), {"password": PASSWORD})
    assert response.status_code == 200
    assert type(life).objects.get(pk=life.pk).is_active


def test_staff_can_never_erase_a_student(student, campus, other_campus):
    for actor in (campus["admin"], other_campus["admin"]):
        with pytest.raises(PermissionDenied):
            services.account_erase(actor=actor, user=student)
    assert type(student).objects.get(pk=student.pk).is_active


def test_erasing_twice_changes_nothing_more(student):
    services.account_erase(actor=student, user=student)
    erased = type(student).objects.get(pk=student.pk)
    services.account_erase(actor=student, user=erased)
    assert type(student).objects.get(pk=student.pk).email == erased.email
    assert AuditEntry.objects.filter(action=PrivacyAction.ACCOUNT_ERASED).count() == 1


def test_erasure_keeps_other_recipients_in_a_bulk_upload(client, life):
    if not hasattr(badge_models, "BulkAward"):
        pytest.skip("bulk awards are not part of badges yet")
    _erase_through_the_page(client, life)
    upload = badge_models.BulkAward.objects.get()
    assert upload.source == "email,name\nsomeone.else@student.example,Someone Else\n"
