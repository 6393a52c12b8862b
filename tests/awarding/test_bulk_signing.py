"""Badges issued directly by a bulk award are signed in batches: what the batch shares is
loaded once, one audit entry names every badge of the batch, the "badge issued" email is
queued once the badge is signed, and every credential is exactly what a single signing makes
(the native canonicalisation agrees with the reference one)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from badge_credentials import data_integrity, linked_data
from badge_credentials.keys import load_public_key_pem
from badges import issuing
from badges.awarding import awards, bulk
from badges.awarding.notifications import Kind
from badges.models import Assertion, Award
from issuers.models import AuditEntry, SigningKey
from notifications.models import Notification

from .factories import make_issuable

ROWS = 24


def _bulk_issue(awarder, badge_class, commits, rows: int = ROWS):
    text = "email;name\n" + "".join(f"s{n:03d}@student.example;Student {n}\n" for n in range(rows))
    upload = bulk.bulk_award_upload(
        actor=awarder,
        badge_class=badge_class,
        file=SimpleUploadedFile("cohort.csv", text.encode()),
    )
    upload = bulk.bulk_award_prepare(actor=awarder, bulk=upload, mapping=upload.mapping)
    with commits():
        bulk.bulk_award_start(actor=awarder, bulk=upload)
    return upload


@pytest.fixture
def issued_in_bulk(ready, awarder, commits):
    make_issuable(ready["a"]["institution"], direct=True)
    upload = _bulk_issue(awarder, ready["a"]["badge_class"], commits)
    return list(
        Assertion.objects.filter(award__bulk_award=upload)
        .select_related("documents", "badge_class__issuer")
        .order_by("pk")
    )


def test_a_bulk_award_issued_directly_is_signed_in_one_batch_with_one_audit_entry(
    issued_in_bulk,
):
    assert len(issued_in_bulk) == ROWS
    assert {assertion.status for assertion in issued_in_bulk} == {Assertion.Status.ISSUED}
    assert {assertion.signing_attempts for assertion in issued_in_bulk} == {1}
    for action in ("assertion_create", "assertion_issue"):
        (entry,) = AuditEntry.objects.filter(action=action)
        assert sorted(entry.data["assertions"]) == sorted(a.public_id for a in issued_in_bulk)
    assert AuditEntry.objects.filter(action="award_issue_direct").count() == ROWS
    told = Notification.objects.filter(kind=Kind.BADGE_ISSUED)
    assert told.count() == ROWS
    assert {n.status for n in told} == {Notification.Status.SENT}
    # A repeated batch message signs nothing twice.
    assert issuing.assertions_sign(assertion_ids=[a.pk for a in issued_in_bulk]) == 0


def test_the_badge_issued_email_is_queued_once_the_badge_is_signed(ready, awarder):
    make_issuable(ready["a"]["institution"], direct=True)
    # Created without running what is queued after commit: the badge waits for signing.
    award = awards.award_create(
        actor=awarder, badge_class=ready["a"]["badge_class"], email="direct@student.example"
    )
    assertion = Assertion.objects.get(award=award)
    assert Award.objects.get(pk=award.pk).status == Award.Status.CLAIMED
    assert assertion.status == Assertion.Status.PENDING
    assert not Notification.objects.filter(kind=Kind.BADGE_ISSUED).exists()

    assert issuing.assertion_sign(assertion_id=assertion.pk) is True
    told = Notification.objects.get(kind=Kind.BADGE_ISSUED)
    assert told.target == assertion


def test_batch_issued_credentials_canonicalise_the_same_natively_and_with_pyld(issued_in_bulk):
    loader = issuing._loader()
    for assertion in issued_in_bulk[:: max(1, ROWS // 6)]:
        credential = assertion.documents.ob3_credential
        unsecured = {key: value for key, value in credential.items() if key != "proof"}
        proof_config = {k: v for k, v in credential["proof"].items() if k != "proofValue"}
        proof_config["@context"] = credential["@context"]
        for document in (unsecured, proof_config):
            assert linked_data.canonicalize(document, loader) == (
                linked_data.canonicalize_reference(document, loader)
            )
        key = SigningKey.objects.get(issuer=assertion.badge_class.issuer, algorithm="EdDSA")
        data_integrity.verify_proof(
            credential,
            key_resolver=lambda _method, key=key: load_public_key_pem(key.public_key_pem),
            loader=loader,
        )


def test_a_batch_of_emails_about_one_badge_reads_its_privacy_statement_once(
    issued_in_bulk, mailoutbox
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from notifications.tasks import send_notifications

    told = Notification.objects.filter(kind=Kind.BADGE_ISSUED)
    told.update(status=Notification.Status.QUEUED)
    mailoutbox.clear()
    with CaptureQueriesContext(connection) as queries:
        assert send_notifications([n.pk for n in told]) == ROWS
    statements = [q for q in queries.captured_queries if "privacy_privacystatement" in q["sql"]]
    assert len(statements) == 1
    assert len(mailoutbox) == ROWS


def test_a_batch_of_emails_costs_the_same_queries_whatever_its_size(issued_in_bulk, mailoutbox):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from notifications.tasks import send_notifications

    told = list(Notification.objects.filter(kind=Kind.BADGE_ISSUED).order_by("pk"))
    Notification.objects.update(status=Notification.Status.QUEUED)
    counts = []
    for batch in (told[:3], told[3:]):
        with CaptureQueriesContext(connection) as queries:
            assert send_notifications([n.pk for n in batch]) == len(batch)
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]
    assert sorted(m.to[0] for m in mailoutbox[-ROWS:]) == sorted(
        a.recipient_identity for a in issued_in_bulk
    )
