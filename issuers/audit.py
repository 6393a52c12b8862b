"""The audit trail: one function writes every entry, and the entries of each institution form
a hash chain, so that an entry changed, removed or slipped in afterwards shows.

Every entry stores
- ``personal_digest``: SHA-256 over a random salt of its own and the fields that may name a
  person (summary, object id, data);
- ``entry_hash``: SHA-256 over the previous entry's hash, the entry's other fields (chain,
  position, time, action, object type, actor, subject, badge type) and the personal digest.

Erasing a person (``audit_redact``) replaces the personal fields and forgets the salt: the
chain still verifies over the stored digest, and the digest no longer leads to anyone. An
entry appended to the same chain names the redacted entries, so a redaction cannot be faked
to hide a change either.

Writers of one chain take turns: ``audit_log`` locks the chain's head row until the writing
transaction ends, so concurrent writers never fork the chain (and the unique position per
chain would refuse a fork anyway). ``chain_verify`` walks a chain and reports its first broken
link (``manage.py audit_verify``).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AuditChain, AuditEntry, Institution
from .permissions import institution_of

PLATFORM_CHAIN = "platform"
REDACT_ACTION = "audit_redact"

_LABELS: dict[str, str] = {
    "institution_update": _("Institution changed"),
    "faculty_create": _("Faculty created"),
    "faculty_update": _("Faculty changed"),
    "issuer_create": _("Issuer created"),
    "issuer_update": _("Issuer changed"),
    "membership_grant": _("Role granted"),
    "membership_revoke": _("Role removed"),
    "invitation_create": _("Invitation sent"),
    "invitation_accept": _("Invitation accepted"),
    "invitation_withdraw": _("Invitation withdrawn"),
    "institution_create": _("Institution added"),
    "endorsing_body_register": _("Endorsing body registered"),
    "endorsing_body_update": _("Endorsing body changed"),
    "account_create": _("Account added by a platform admin"),
    "account_change": _("Account changed by a platform admin"),
    "account_password_set": _("Password set by a platform admin"),
    "account_password_unset": _("Password sign-in switched off by a platform admin"),
    "signing_keys_rotate": _("Signing keys rotated"),
    REDACT_ACTION: _("Personal data erased from earlier entries"),
}


def register_labels(labels: Mapping[str, str]) -> None:
    """Let an app name its actions (``AppConfig.ready``)."""
    _LABELS.update(labels)


def label(action: str) -> str:
    return str(_LABELS.get(action, action))


def labels() -> dict[str, str]:
    return {action: str(text) for action, text in _LABELS.items()}


# --- writing -----------------------------------------------------------------------------------


def chain_key(institution_id: int | None) -> str:
    return f"institution-{institution_id}" if institution_id else PLATFORM_CHAIN


def audit_log(
    *,
    actor,
    action: str,
    obj=None,
    objects: Iterable | None = None,
    institution: Institution | None = None,
    subject=None,
    badge_type: str = "",
    summary: str | Callable[[object], str] = "",
    data: dict | None = None,
) -> list[AuditEntry]:
    """Record a change; call inside the transaction that makes it.

    One entry about ``obj`` (or about nothing, for events such as a retention run), or one
    entry per object of ``objects`` (a batch; ``summary`` may then map an object to its text).
    The institution is ``institution`` or the one ``obj`` belongs to. ``summary``, the object
    id and ``data`` may name a person; everything else must not.
    """
    if objects is None:
        targets = [obj]
        if institution is None and obj is not None:
            institution = _institution_of(obj)
    else:
        targets = list(objects)
    now = timezone.now()
    normalised = _json_normalised(data or {})
    entries = [
        AuditEntry(
            institution=institution,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            subject=subject,
            action=action,
            object_type=target._meta.label if target is not None else "",
            object_id=str(target.pk) if target is not None else "",
            badge_type=badge_type,
            summary=_summary(summary, target),
            data=normalised,
            created_at=now,
        )
        for target in targets
    ]
    if entries:
        _append(chain_key(institution.pk if institution else None), entries)
    return entries


def _institution_of(obj) -> Institution | None:
    try:
        return institution_of(obj)
    except TypeError:
        return None


def _summary(summary, target) -> str:
    if callable(summary):
        return summary(target)
    return summary or (str(target) if target is not None else "")


def _json_normalised(data: dict) -> dict:
    """The value as the database gives it back, so that the hash written is the hash read."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def _locked_head(key: str) -> AuditChain:
    head = AuditChain.objects.select_for_update().filter(key=key).first()
    if head is None:
        # The first entry of a chain: create the head, or wait for whoever is creating it.
        AuditChain.objects.bulk_create([AuditChain(key=key)], ignore_conflicts=True)
        head = AuditChain.objects.select_for_update().get(key=key)
    return head


def _append(key: str, entries: list[AuditEntry]) -> None:
    with transaction.atomic():
        head = _locked_head(key)
        for entry in entries:
            head.length += 1
            entry.chain = key
            entry.sequence = head.length
            entry.previous_hash = head.last_hash
            entry.personal_salt = secrets.token_hex(16)
            entry.personal_digest = personal_digest(entry)
            entry.entry_hash = entry_hash(entry)
            head.last_hash = entry.entry_hash
        AuditEntry.objects.bulk_create(entries, batch_size=500)
        head.save(update_fields=["length", "last_hash"])


# --- hashing -----------------------------------------------------------------------------------


def _canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def personal_digest(entry) -> str:
    personal = {"summary": entry.summary, "object_id": entry.object_id, "data": entry.data}
    return hashlib.sha256(bytes.fromhex(entry.personal_salt) + _canonical(personal)).hexdigest()


def entry_hash(entry) -> str:
    content = {
        "chain": entry.chain,
        "sequence": entry.sequence,
        "previous": entry.previous_hash,
        "created_at": entry.created_at.astimezone(UTC).isoformat(),
        "action": entry.action,
        "object_type": entry.object_type,
        "actor": entry.actor_id,
        "subject": entry.subject_id,
        "badge_type": entry.badge_type,
        "personal": entry.personal_digest,
    }
    return hashlib.sha256(_canonical(content)).hexdigest()


# --- erasure -----------------------------------------------------------------------------------


def _replace_in_json(value, replace: Callable[[str], str]):
    if isinstance(value, str):
        return replace(value)
    if isinstance(value, list):
        return [_replace_in_json(item, replace) for item in value]
    if isinstance(value, dict):
        return {key: _replace_in_json(item, replace) for key, item in value.items()}
    return value


def audit_redact(*, entries: QuerySet[AuditEntry], replace: Callable[[str], str]) -> int:
    """Erase personal data from ``entries``: ``replace`` rewrites every text they hold (summary,
    object id, strings in data). Each chain touched records which of its entries were
    redacted. Call inside the erasing transaction; returns how many entries changed."""
    redacted: dict[str, list[tuple[int, Institution | None]]] = defaultdict(list)
    for entry in entries.select_for_update().order_by("chain", "sequence"):
        entry.summary = replace(entry.summary)
        entry.object_id = replace(entry.object_id)[:64]
        entry.data = _json_normalised(_replace_in_json(entry.data, replace))
        entry.personal_salt = ""
        entry.save(update_fields=["summary", "object_id", "data", "personal_salt"])
        redacted[entry.chain].append((entry.sequence, entry.institution))
    for key in sorted(redacted):
        sequences = [sequence for sequence, _institution in redacted[key]]
        institution = next((i for _s, i in redacted[key] if i is not None), None)
        entry = AuditEntry(
            institution=institution,
            action=REDACT_ACTION,
            summary="",
            data={"entries": sequences},
            created_at=timezone.now(),
        )
        _append(key, [entry])
    return sum(len(items) for items in redacted.values())


# --- verifying ---------------------------------------------------------------------------------


@dataclass
class BrokenLink:
    sequence: int
    entry_id: int | None
    reason: str


@dataclass
class ChainReport:
    key: str
    length: int = 0
    head_hash: str = ""
    redacted: int = 0
    problems: list[BrokenLink] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems

    @property
    def first_broken(self) -> BrokenLink | None:
        return min(self.problems, key=lambda link: link.sequence) if self.problems else None


def chain_keys() -> list[str]:
    keys = set(AuditChain.objects.values_list("key", flat=True))
    keys.update(AuditEntry.objects.values_list("chain", flat=True).distinct())
    return sorted(keys)


def chain_verify(key: str) -> ChainReport:
    """Walk one chain from its first entry to its head."""
    report = ChainReport(key=key)
    previous_hash = ""
    expected = 1
    redacted: dict[int, int] = {}
    named_as_redacted: set[int] = set()
    entries = AuditEntry.objects.filter(chain=key).order_by("sequence")
    for entry in entries.iterator(chunk_size=2000):
        if entry.sequence != expected:
            report.problems.append(
                BrokenLink(
                    expected, None, f"entries {expected} to {entry.sequence - 1} are missing"
                )
            )
        elif entry.previous_hash != previous_hash:
            report.problems.append(
                BrokenLink(entry.sequence, entry.pk, "does not follow the entry before it")
            )
        if entry.entry_hash != entry_hash(entry):
            report.problems.append(
                BrokenLink(entry.sequence, entry.pk, "changed after it was written")
            )
        elif entry.personal_salt and entry.personal_digest != personal_digest(entry):
            report.problems.append(
                BrokenLink(entry.sequence, entry.pk, "summary, object or details changed")
            )
        elif entry.action == REDACT_ACTION:
            named_as_redacted.update(entry.data.get("entries", []))
        if not entry.personal_salt:
            redacted[entry.sequence] = entry.pk
        previous_hash = entry.entry_hash
        expected = entry.sequence + 1
        report.length += 1
    for sequence, entry_id in redacted.items():
        if sequence not in named_as_redacted:
            report.problems.append(
                BrokenLink(sequence, entry_id, "erased without a record of the erasure")
            )
    report.redacted = len(redacted)
    report.head_hash = previous_hash
    head = AuditChain.objects.filter(key=key).first()
    last = expected - 1
    if head is None:
        report.problems.append(BrokenLink(1, None, "the chain's head is missing"))
    elif head.length != last or head.last_hash != previous_hash:
        report.problems.append(
            BrokenLink(
                min(head.length, last) + 1,
                None,
                f"the head says {head.length} entries, {last} were found",
            )
        )
    return report


def chain_build(entry_model, head_model) -> None:
    """Chain entries written before the trail was chained, oldest first (a migration)."""
    by_chain: dict[str, list] = defaultdict(list)
    for entry in entry_model.objects.filter(sequence__isnull=True).order_by("created_at", "pk"):
        entry.chain = chain_key(entry.institution_id)
        by_chain[entry.chain].append(entry)
    for key, entries in by_chain.items():
        head, _created = head_model.objects.get_or_create(key=key)
        for entry in entries:
            head.length += 1
            entry.sequence = head.length
            entry.previous_hash = head.last_hash
            entry.data = _json_normalised(entry.data or {})
            entry.personal_salt = secrets.token_hex(16)
            entry.personal_digest = personal_digest(entry)
            entry.entry_hash = entry_hash(entry)
            head.last_hash = entry.entry_hash
        entry_model.objects.bulk_update(
            entries,
            [
                "chain",
                "sequence",
                "previous_hash",
                "data",
                "personal_salt",
                "personal_digest",
                "entry_hash",
            ],
            batch_size=500,
        )
        head.save()
