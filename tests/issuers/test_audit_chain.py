"""The audit trail is written by one function and is tamper-evident: entries are chained per
institution, ``manage.py audit_verify`` reports the first broken link, erasure keeps the chain
verifiable, and concurrent writers never fork a chain."""

from __future__ import annotations

import re
import threading
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction

from issuers import services as issuer_services
from issuers.audit import audit_log, chain_key, chain_verify
from issuers.models import AuditChain, AuditEntry
from issuers.roles import Role
from privacy import services as privacy_services
from privacy.models import PrivacyAction
from tests.factories import InstitutionFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
APPS = [
    "accounts",
    "api",
    "backpack",
    "badges",
    "edubadges",
    "issuers",
    "privacy",
    "public",
    "staff",
    "students",
]


def _verify(*args: str) -> str:
    out = StringIO()
    call_command("audit_verify", *args, stdout=out)
    return out.getvalue()


def _broken(*args: str) -> str:
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("audit_verify", *args, stdout=out)
    return out.getvalue()


def test_only_the_audit_module_writes_audit_entries():
    writes = re.compile(r"\w*AuditEntry(\.objects\.(create|bulk_create|update_or_create)|\()")
    offenders = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts or path == ROOT / "issuers" / "audit.py":
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if writes.search(line) and not line.lstrip().startswith("class "):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


@pytest.fixture
def institution(db):
    return InstitutionFactory(schac_home="chain.example")


@pytest.fixture
def trail(institution):
    """Five entries in the institution's chain, written by the services that own them."""
    admin = UserFactory(email="chain-admin@example.org", is_superuser=True)
    colleague = UserFactory(email="colleague@example.org")
    issuer_services.institution_update(actor=admin, institution=institution, name_en="Chained")
    issuer_services.membership_grant(
        actor=admin, user=colleague, role=Role.VIEWER, scope=institution
    )
    for name in ("Science", "Arts", "Law"):
        issuer_services.faculty_create(
            actor=admin, institution=institution, name_nl=name, name_en=name
        )
    return {"admin": admin, "colleague": colleague}


def _entries(institution):
    return AuditEntry.objects.filter(chain=chain_key(institution.pk)).order_by("sequence")


def test_entries_of_an_institution_form_one_chain(trail, institution):
    entries = list(_entries(institution))
    assert [entry.sequence for entry in entries] == [1, 2, 3, 4, 5]
    assert entries[0].previous_hash == ""
    for before, after in zip(entries, entries[1:], strict=False):
        assert after.previous_hash == before.entry_hash
    head = AuditChain.objects.get(key=chain_key(institution.pk))
    assert (head.length, head.last_hash) == (5, entries[-1].entry_hash)
    assert "chain.example" not in _verify()  # chains are named by key, not by the database
    assert f"institution-{institution.pk}: intact, 5 entries" in _verify(
        "--institution", "chain.example"
    )


def test_a_changed_summary_is_the_first_broken_link(trail, institution):
    second = _entries(institution)[1]
    AuditEntry.objects.filter(pk=second.pk).update(summary="someone else: admin")
    out = _broken()
    assert f"institution-{institution.pk}: BROKEN at entry 2 (id {second.pk}" in out
    assert "summary, object or details changed" in out


def test_a_changed_actor_or_time_breaks_the_chain(trail, institution):
    third = _entries(institution)[2]
    AuditEntry.objects.filter(pk=third.pk).update(actor=trail["colleague"])
    assert "BROKEN at entry 3" in _broken()
    assert "changed after it was written" in _broken()


def test_a_removed_entry_is_found(trail, institution):
    _entries(institution)[1].delete()
    assert "BROKEN at entry 2: entries 2 to 2 are missing" in _broken()


def test_removing_the_newest_entries_is_found_by_the_head(trail, institution):
    _entries(institution).filter(sequence__gte=4).delete()
    assert "BROKEN at entry 4: the head says 5 entries, 3 were found" in _broken()


def test_an_entry_rewritten_with_a_new_hash_breaks_the_next_link(trail, institution):
    from issuers.audit import entry_hash, personal_digest

    second = _entries(institution)[1]
    second.summary = "forged"
    second.personal_digest = personal_digest(second)
    second.entry_hash = entry_hash(second)
    second.save()
    assert "BROKEN at entry 3" in _broken()
    assert "does not follow the entry before it" in _broken()


def test_a_redaction_without_its_record_is_found(trail, institution):
    second = _entries(institution)[1]
    AuditEntry.objects.filter(pk=second.pk).update(summary="[erased]", personal_salt="")
    assert "BROKEN at entry 2" in _broken()
    assert "erased without a record of the erasure" in _broken()


def test_erasure_removes_the_name_and_keeps_the_chain_verifiable(trail, institution):
    colleague = trail["colleague"]
    grant = _entries(institution).get(action="membership_grant")
    assert "colleague@example.org" in grant.summary

    privacy_services.account_erase(actor=colleague, user=colleague)

    grant.refresh_from_db()
    assert "colleague@example.org" not in grant.summary and grant.is_redacted
    record = _entries(institution).last()
    assert record.action == "audit_redact" and record.data == {"entries": [grant.sequence]}
    assert AuditEntry.objects.get(action=PrivacyAction.ACCOUNT_ERASED).subject == colleague
    out = _verify()
    assert f"institution-{institution.pk}: intact, 6 entries (1 with personal data erased)" in out
    assert "platform: intact, 1 entry," in out


def test_a_batch_is_chained_entry_by_entry(institution):
    faculties = [
        issuer_services.Faculty.objects.create(institution=institution, name_nl=n, name_en=n)
        for n in "ABC"
    ]
    with transaction.atomic():
        entries = audit_log(
            actor=None,
            action="faculty_update",
            objects=faculties,
            institution=institution,
            summary=lambda faculty: f"renamed {faculty.name_en}",
        )
    assert [entry.sequence for entry in entries] == [1, 2, 3]
    assert chain_verify(chain_key(institution.pk)).intact


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_the_chain():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL (SQLite has one writer)")
    institution = InstitutionFactory()
    writers = 12
    start = threading.Barrier(writers)
    failures: list[BaseException] = []

    def write(number: int) -> None:
        try:
            start.wait()
            with transaction.atomic():
                audit_log(
                    actor=None,
                    action="institution_update",
                    obj=institution,
                    data={"writer": number},
                )
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    report = chain_verify(chain_key(institution.pk))
    assert report.intact and report.length == writers
    assert sorted(
        entry["writer"]
        for entry in AuditEntry.objects.filter(institution=institution).values_list(
            "data", flat=True
        )
    ) == list(range(writers))
