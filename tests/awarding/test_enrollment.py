"""Self-enrolment: the catalogue, a student's request through the consent step, approval
(one and many) and denial with a reason, and what the student is told."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from badges.awarding import enrollments
from badges.models import Assertion, Award, Enrollment
from issuers.badge_types import BadgeType
from issuers.models import AuditEntry
from issuers.roles import Role
from privacy.models import ConsentRecord, RecordKind
from tests.factories import BadgeClassFactory, UserFactory

from .factories import EnrollmentFactory

pytestmark = pytest.mark.django_db


def _consent(user, world_side, badge_type=BadgeType.MICROCREDENTIAL):
    statement = world_side["statements"][badge_type]
    policy = statement.policy
    return ConsentRecord.objects.create(
        user=user,
        statement=statement,
        institution=policy.institution,
        badge_type=badge_type,
        legal_basis=policy.legal_basis,
        kind=RecordKind.CONSENT if policy.requires_consent else RecordKind.ACKNOWLEDGEMENT,
    )


def test_the_catalogue_lists_badges_open_for_enrolment_with_filters(client, ready, world):
    open_a = ready["a"]["microcredential"]
    open_b = ready["b"]["microcredential"]
    english = BadgeClassFactory(
        issuer=ready["a"]["issuer"],
        self_enrollment_enabled=True,
        language="en",
        name_en="Community leadership",
    )
    BadgeClassFactory(
        issuer=ready["a"]["issuer"], self_enrollment_enabled=True, archived=True, name_en="Old"
    )
    closed = ready["a"]["badge_class"]  # not open for enrolment
    url = reverse("students:catalogue")

    page = client.get(url).content.decode()
    for badge in (open_a, open_b, english):
        assert badge.name in page
    assert closed.name not in page and "Old" not in page

    page = client.get(url, {"institution": ready["b"]["institution"].pk}).content.decode()
    assert open_b.name in page and open_a.name not in page
    page = client.get(url, {"badge_type": BadgeType.EXTRACURRICULAR}).content.decode()
    assert english.name in page and open_a.name not in page
    page = client.get(url, {"level": 6}).content.decode()
    assert open_a.name in page and english.name not in page
    page = client.get(url, {"language": "en"}).content.decode()
    assert english.name in page and open_a.name not in page
    page = client.get(url, {"q": "leadership"}).content.decode()
    assert english.name in page and open_a.name not in page


def test_an_institution_that_cannot_issue_the_type_is_not_in_the_catalogue(client, world):
    BadgeClassFactory(issuer=world["a"]["issuer"], self_enrollment_enabled=True, name_en="Hidden")
    assert "Hidden" not in client.get(reverse("students:catalogue")).content.decode()


def test_a_student_requests_a_badge_through_the_consent_step(client, ready, student):
    badge_class = ready["a"]["microcredential"]
    url = reverse("students:catalogue_detail", args=[badge_class.public_id])
    assert reverse("account_login") in client.get(url).content.decode()
    client.force_login(student)
    assert "Read and give consent" in client.get(url).content.decode()
    response = client.post(url, {"narrative": "I took the module"})
    assert response["Location"].startswith(
        reverse("privacy:consent", args=[ready["a"]["institution"].pk, "microcredential"])
    )
    assert not Enrollment.objects.exists()

    _consent(student, ready["a"])
    response = client.post(
        url, {"narrative": "I took the module", "evidence_url": "https://portfolio.example/me"}
    )
    assert response["Location"] == reverse("students:enrollments")
    enrollment = Enrollment.objects.get(user=student)
    assert enrollment.status == Enrollment.Status.PENDING
    assert enrollment.evidence_url == "https://portfolio.example/me"
    assert AuditEntry.objects.filter(action="enrollment_request", actor=student).exists()
    # Submitting again is harmless.
    again = enrollments.enrollment_request(user=student, badge_class=badge_class)
    assert again == enrollment
    assert "has not decided yet" in client.get(url).content.decode()


def test_required_narrative_and_evidence_for_a_request(client, ready, student):
    badge_class = BadgeClassFactory(
        issuer=ready["a"]["issuer"],
        self_enrollment_enabled=True,
        narrative_required=True,
        evidence_required=True,
    )
    _consent(student, ready["a"], BadgeType.EXTRACURRICULAR)
    client.force_login(student)
    response = client.post(reverse("students:catalogue_detail", args=[badge_class.public_id]), {})
    page = response.content.decode()
    assert response.status_code == 200 and "error-summary" in page
    with pytest.raises(ValidationError) as error:
        enrollments.enrollment_request(user=student, badge_class=badge_class)
    assert {"narrative", "evidence_url"} <= set(error.value.error_dict)


def test_a_request_without_the_prerequisites_is_refused_with_their_names(ready, student, issue):
    basic = ready["a"]["badge_class"]
    advanced = ready["a"]["microcredential"]
    advanced.prerequisites.set([basic])
    _consent(student, ready["a"])
    with pytest.raises(ValidationError, match=basic.name):
        enrollments.enrollment_request(user=student, badge_class=advanced)
    issue(badge_class=basic, email=student.email)
    assert enrollments.enrollment_request(user=student, badge_class=advanced).pk


def test_approval_issues_the_badge_and_tells_the_student_once(
    client, ready, awarder, student, commits, mailoutbox
):
    _consent(student, ready["a"])
    enrollment = EnrollmentFactory(badge_class=ready["a"]["microcredential"], user=student)
    client.force_login(awarder)
    assert student.email in client.get(reverse("staff:enrollments")).content.decode()
    with commits():
        response = client.post(reverse("staff:enrollment_approve", args=[enrollment.pk]))
    assert response["Location"] == reverse("staff:enrollments")
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.APPROVED and enrollment.decided_by == awarder
    award = Award.objects.get(enrollment=enrollment)
    assert award.status == Award.Status.CLAIMED and award.recipient == student
    assert Assertion.objects.get(award=award).status == Assertion.Status.ISSUED
    (message,) = mailoutbox
    assert message.to == [student.email]
    assert "/backpack/" in message.body

    # Approving again (a second click, a second awarder) issues nothing twice.
    with commits():
        again = enrollments.enrollment_approve(actor=awarder, enrollment=enrollment)
    assert again == award
    assert Assertion.objects.count() == 1 and len(mailoutbox) == 1


def test_approval_after_consent_was_withdrawn_becomes_an_offer_to_claim(
    ready, awarder, student, commits, mailoutbox
):
    record = _consent(student, ready["a"])
    enrollment = EnrollmentFactory(badge_class=ready["a"]["microcredential"], user=student)
    ConsentRecord.objects.filter(pk=record.pk).update(withdrawn_at="2024-01-01T00:00:00Z")
    with commits():
        award = enrollments.enrollment_approve(actor=awarder, enrollment=enrollment)
    assert award.status == Award.Status.OFFERED
    assert not Assertion.objects.exists()
    assert reverse("students:claim", args=[award.claim_token]) in mailoutbox[0].body


def test_approve_many_approves_what_it_can_and_says_why_not_the_rest(
    client, ready, awarder, commits
):
    students = [UserFactory() for _ in range(3)]
    for user in students:
        _consent(user, ready["a"])
    requests = [
        EnrollmentFactory(badge_class=ready["a"]["microcredential"], user=user) for user in students
    ]
    # The third request's badge gained a prerequisite the student lacks.
    other = BadgeClassFactory(
        issuer=ready["a"]["issuer"], microcredential=True, self_enrollment_enabled=True
    )
    other.prerequisites.set([ready["a"]["badge_class"]])
    requests[2].badge_class = other
    requests[2].save()
    client.force_login(awarder)
    with commits():
        response = client.post(
            reverse("staff:enrollments_approve"),
            {"selected": [r.pk for r in requests]},
            follow=True,
        )
    page = response.content.decode()
    assert "2 requests were approved." in page
    assert "does not hold the required badges" in page
    statuses = [Enrollment.objects.get(pk=r.pk).status for r in requests]
    assert statuses == ["approved", "approved", "pending"]
    assert Assertion.objects.count() == 2


def test_deny_with_a_reason_tells_the_student(client, ready, awarder, student, commits, mailoutbox):
    enrollment = EnrollmentFactory(badge_class=ready["a"]["microcredential"], user=student)
    client.force_login(awarder)
    url = reverse("staff:enrollment_deny", args=[enrollment.pk])
    assert client.post(url, {"reason": "  "}).status_code == 200
    with commits():
        response = client.post(url, {"reason": "The module is not finished yet."})
    assert response["Location"] == reverse("staff:enrollments")
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.DENIED
    assert "The module is not finished yet." in mailoutbox[0].body
    client.force_login(student)
    assert (
        "The module is not finished yet."
        in client.get(reverse("students:enrollments")).content.decode()
    )
    assert AuditEntry.objects.filter(action="enrollment_deny").exists()


def test_a_student_withdraws_their_own_request_only(client, ready, student):
    mine = EnrollmentFactory(badge_class=ready["a"]["microcredential"], user=student)
    theirs = EnrollmentFactory(badge_class=ready["a"]["microcredential"])
    client.force_login(student)
    assert client.post(reverse("students:enrollment_withdraw", args=[theirs.pk])).status_code == 404
    client.post(reverse("students:enrollment_withdraw", args=[mine.pk]))
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.status == Enrollment.Status.WITHDRAWN
    assert theirs.status == Enrollment.Status.PENDING


def test_viewers_cannot_decide_requests(ready, user_with_role, student):
    viewer = user_with_role(Role.VIEWER, issuer=ready["a"]["issuer"])
    enrollment = EnrollmentFactory(badge_class=ready["a"]["microcredential"], user=student)
    with pytest.raises(PermissionDenied):
        enrollments.enrollment_approve(actor=viewer, enrollment=enrollment)
    with pytest.raises(PermissionDenied):
        enrollments.enrollment_deny(actor=viewer, enrollment=enrollment, reason="no")
