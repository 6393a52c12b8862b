"""Staging a bulk award: the uploaded file (or the recipients sent to the API) become lines
checked one by one (the preview), then the award is started, or cancelled. Nothing is
awarded here; ``processing`` does that."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from issuers.audit import audit_log
from issuers.permissions import Action, has_perm

from ...models import BadgeClass, BulkAward, BulkAwardRow
from ..awards import check_override
from ..rules import (
    email_is_valid,
    ensure_awardable,
    eppn_is_valid,
    eppn_pattern,
    holder_identities,
    normalise_email,
    normalise_eppn,
    open_award_identities,
    url_is_valid,
)
from .parsing import (
    COLUMN_BY_FIELD,
    auto_mapping,
    decode_upload,
    is_blank,
    read_rows,
    sniff_delimiter,
    upload_size_error,
    validate_mapping,
)


def _require_award(actor, badge_class: BadgeClass) -> None:
    if not has_perm(actor, Action.AWARD, badge_class):
        raise PermissionDenied(_("You may not award this badge."))


@transaction.atomic
def bulk_award_upload(*, actor, badge_class: BadgeClass, file) -> BulkAward:
    """Read an uploaded CSV file and keep it for column mapping. Nothing is awarded."""
    _require_award(actor, badge_class)
    ensure_awardable(badge_class)
    if message := upload_size_error(file.size):
        raise ValidationError({"file": [message]}, code="too_large")
    data = file.read(settings.BULK_AWARD_MAX_BYTES + 1)
    if message := upload_size_error(len(data)):
        raise ValidationError({"file": [message]}, code="too_large")
    try:
        text = decode_upload(data)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}, code=error.code) from error
    delimiter = sniff_delimiter(text)
    records = read_rows(text, delimiter)
    header: list[str] = []
    count = 0
    try:
        for _line, cells in records:
            if is_blank(cells):
                continue
            if not header:
                header = [cell.strip() for cell in cells]
                continue
            count += 1
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from error
    if not header:
        raise ValidationError({"file": [_("The file is empty.")]})
    if any(email_is_valid(normalise_email(cell)) for cell in header):
        raise ValidationError(
            {
                "file": [
                    _(
                        "The first line must name the columns, e.g. “email;name;narrative”; "
                        "it holds an email address."
                    )
                ]
            }
        )
    if count == 0:
        raise ValidationError({"file": [_("The file has no lines below the header.")]})
    if count > settings.BULK_AWARD_MAX_ROWS:
        raise ValidationError(
            {
                "file": [
                    _("The file has %(count)s lines; at most %(max)s can be awarded at once.")
                    % {"count": count, "max": settings.BULK_AWARD_MAX_ROWS}
                ]
            }
        )
    return BulkAward.objects.create(
        badge_class=badge_class,
        created_by=actor,
        filename=(getattr(file, "name", "") or "")[:255],
        source=text,
        delimiter=delimiter,
        header=header,
        mapping=auto_mapping(header),
        total_rows=count,
    )


@dataclass
class _Context:
    badge_class: BadgeClass
    pattern: re.Pattern | None
    holders: set[str]
    offered: set[str]
    prerequisite_holders: list[tuple[BadgeClass, set[str]]]
    users_by_email: dict[str, tuple[str, str]]
    users_by_eppn: dict[str, tuple[str, str]]
    narrative: str
    override: bool


def _users(field: str, values: set[str]) -> dict[str, tuple[str, str]]:
    found: dict[str, tuple[str, str]] = {}
    values_list = sorted(values)
    for start in range(0, len(values_list), 900):
        chunk = values_list[start : start + 900]
        for email, eppn in (
            get_user_model().objects.filter(**{f"{field}__in": chunk}).values_list("email", "eppn")
        ):
            key = (email if field == "email" else eppn).lower()
            found[key] = ((email or "").lower(), (eppn or "").lower())
    return found


def _cell(cells: list[str], mapping: dict[str, int], field: str) -> str:
    index = mapping.get(field)
    if index is None or index >= len(cells):
        return ""
    return cells[index].strip()


def _stage_row(
    context: _Context, mapping: dict[str, int], header_length: int, line: int, cells: list[str]
) -> BulkAwardRow:
    values = {field: _cell(cells, mapping, field) for field in COLUMN_BY_FIELD}
    name = values["name"] or " ".join(v for v in (values["first_name"], values["last_name"]) if v)
    row = BulkAwardRow(
        line=line,
        email=normalise_email(values["email"])[:320],
        eppn=normalise_eppn(values["eppn"])[:255],
        name=name[:255],
        narrative=values["narrative"][:10_000],
        evidence_url=values["evidence_url"][:2000],
        grade=values["grade"][:64],
        language=values["language"].lower()[:2],
    )
    errors: list[dict] = []

    def error(code: str, **params) -> None:
        errors.append({"code": code, "params": params} if params else {"code": code})

    if len(cells) > header_length and any(cell.strip() for cell in cells[header_length:]):
        error("too_many_cells", count=len(cells), header=header_length)
    for field, value in values.items():
        if len(value) > COLUMN_BY_FIELD[field].max_length:
            error("too_long", column=field, max=COLUMN_BY_FIELD[field].max_length)
    if not row.email and not row.eppn:
        error("missing_identity")
    if row.email and not email_is_valid(row.email):
        error("invalid_email", value=values["email"][:100])
    if row.eppn and not eppn_is_valid(
        context.badge_class.issuer.faculty.institution, row.eppn, context.pattern
    ):
        error("eppn_mismatch", value=values["eppn"][:100])
    if values["language"] and row.language not in ("nl", "en"):
        error("invalid_language", value=values["language"][:20])
    badge_class = context.badge_class
    if badge_class.narrative_required and not (row.narrative or context.narrative):
        error("narrative_required")
    if row.evidence_url and not url_is_valid(row.evidence_url):
        error("invalid_evidence_url", value=row.evidence_url[:100])
    elif badge_class.evidence_required and not row.evidence_url:
        error("evidence_required")
    row.errors = errors
    return row


def _keys(context: _Context, row: BulkAwardRow) -> set[str]:
    keys = {row.email, row.eppn}
    for found in (context.users_by_email.get(row.email), context.users_by_eppn.get(row.eppn)):
        if found:
            keys.update(found)
    return {key for key in keys if key}


def _check_against_holdings(context: _Context, row: BulkAwardRow, keys: set[str]) -> None:
    if keys & context.holders:
        row.errors.append({"code": "already_holds"})
    elif keys & context.offered:
        row.errors.append({"code": "already_offered"})
    missing = [badge for badge, holders in context.prerequisite_holders if not keys & holders]
    if missing:
        if context.override:
            row.prerequisites_overridden = True
        else:
            row.errors.append(
                {
                    "code": "prerequisites_missing",
                    "params": {"names": ", ".join(f"“{badge}”" for badge in missing)},
                }
            )


@transaction.atomic
def bulk_award_prepare(
    *,
    actor,
    bulk: BulkAward,
    mapping: dict[str, int | None],
    narrative: str = "",
    scheduled_for: datetime | None = None,
    override_prerequisites: bool = False,
    override_reason: str = "",
) -> BulkAward:
    """Check every line against ``mapping`` and stage it for the preview. Can be repeated
    with another mapping until the award is started; awards nothing."""
    badge_class = bulk.badge_class
    _require_award(actor, badge_class)
    bulk = BulkAward.objects.select_for_update().get(pk=bulk.pk)
    if bulk.status not in (BulkAward.Status.UPLOADED, BulkAward.Status.PREVIEW):
        raise ValidationError(_("This upload has been started or cancelled already."))
    ensure_awardable(badge_class)
    clean_mapping = validate_mapping(bulk, mapping, narrative=narrative)
    if scheduled_for is not None and scheduled_for <= timezone.now():
        raise ValidationError(
            {"scheduled_for": [_("Choose a moment in the future, or leave it empty.")]}
        )
    check_override(
        actor=actor,
        badge_class=badge_class,
        override=override_prerequisites,
        reason=override_reason,
    )

    records = [
        (line, cells)
        for line, cells in read_rows(bulk.source, bulk.delimiter)
        if not is_blank(cells)
    ][1:]
    return _stage(
        bulk,
        records,
        mapping=clean_mapping,
        narrative=narrative,
        scheduled_for=scheduled_for,
        override_prerequisites=override_prerequisites,
        override_reason=override_reason,
    )


def _stage(
    bulk: BulkAward,
    records: list[tuple[int, list[str]]],
    *,
    mapping: dict[str, int],
    narrative: str = "",
    scheduled_for: datetime | None = None,
    override_prerequisites: bool = False,
    override_reason: str = "",
) -> BulkAward:
    """Check every record and keep it as a line of ``bulk``, replacing earlier lines."""
    badge_class = bulk.badge_class
    clean_mapping = mapping
    emails = {normalise_email(_cell(cells, clean_mapping, "email")) for _line, cells in records}
    eppns = {normalise_eppn(_cell(cells, clean_mapping, "eppn")) for _line, cells in records}
    emails.discard("")
    eppns.discard("")
    context = _Context(
        badge_class=badge_class,
        pattern=eppn_pattern(badge_class.issuer.faculty.institution),
        holders=holder_identities(badge_class),
        offered=open_award_identities(badge_class),
        prerequisite_holders=[
            (prerequisite, holder_identities(prerequisite))
            for prerequisite in badge_class.prerequisites.all()
        ],
        users_by_email=_users("email", emails),
        users_by_eppn=_users("eppn", eppns),
        narrative=narrative.strip(),
        override=override_prerequisites,
    )
    seen: dict[str, int] = {}
    rows: list[BulkAwardRow] = []
    header_length = len(bulk.header)
    for line, cells in records:
        row = _stage_row(context, clean_mapping, header_length, line, cells)
        row.bulk_award = bulk
        keys = _keys(context, row)
        first = next((seen[key] for key in keys if key in seen), None)
        if first is not None:
            row.errors.append({"code": "duplicate", "params": {"line": first}})
        else:
            for key in keys:
                seen[key] = line
            _check_against_holdings(context, row, keys)
        row.status = BulkAwardRow.Status.INVALID if row.errors else BulkAwardRow.Status.VALID
        rows.append(row)

    bulk.rows.all().delete()
    BulkAwardRow.objects.bulk_create(rows, batch_size=1000)
    valid = sum(1 for row in rows if row.status == BulkAwardRow.Status.VALID)
    bulk.mapping = clean_mapping
    bulk.narrative = narrative.strip()
    bulk.scheduled_for = scheduled_for
    bulk.override_prerequisites = override_prerequisites
    bulk.override_reason = override_reason.strip() if override_prerequisites else ""
    bulk.total_rows = len(rows)
    bulk.valid_rows = valid
    bulk.error_rows = len(rows) - valid
    bulk.status = BulkAward.Status.PREVIEW
    bulk.save()
    return bulk


# The fields of a recipient sent to the API, in the order of the columns they stand for.
API_FIELDS = ("email", "eppn", "name", "narrative", "evidence_url", "grade", "language")


class NothingToAward(ValidationError):
    """Every line of a bulk award sent to the API is in error; ``rows`` says why."""

    def __init__(self, rows: list[BulkAwardRow]):
        super().__init__(
            {"recipients": [_("No recipient can be awarded; see the errors per line.")]},
            code="nothing_to_award",
        )
        self.rows = rows


@transaction.atomic
def bulk_award_submit(
    *, actor, badge_class: BadgeClass, recipients: list[dict[str, str]], name: str = ""
) -> BulkAward:
    """Award ``badge_class`` to the recipients an information system sends in one request.

    The recipients are checked line by line exactly as the lines of an uploaded file are;
    lines in error are skipped and reported, the others are awarded in the background by
    the same processing as an upload. Refused (``NothingToAward``) when no line can be
    awarded, and when more lines are sent than an upload may hold."""
    _require_award(actor, badge_class)
    ensure_awardable(badge_class)
    if not recipients:
        raise ValidationError({"recipients": [_("Send at least one recipient.")]})
    if len(recipients) > settings.BULK_AWARD_MAX_ROWS:
        raise ValidationError(
            {
                "recipients": [
                    _("%(count)s recipients were sent; at most %(max)s can be awarded at once.")
                    % {"count": len(recipients), "max": settings.BULK_AWARD_MAX_ROWS}
                ]
            }
        )
    mapping = {field: index for index, field in enumerate(API_FIELDS)}
    bulk = BulkAward.objects.create(
        badge_class=badge_class,
        created_by=actor,
        filename=name[:255],
        header=list(API_FIELDS),
        mapping=mapping,
        total_rows=len(recipients),
    )
    records = [
        (line, [str(recipient.get(field) or "") for field in API_FIELDS])
        for line, recipient in enumerate(recipients, start=1)
    ]
    bulk = _stage(bulk, records, mapping=mapping)
    if bulk.valid_rows == 0:
        raise NothingToAward(list(bulk.rows.order_by("line")))
    return bulk_award_start(actor=actor, bulk=bulk, skip_errors=True)


@transaction.atomic
def bulk_award_start(*, actor, bulk: BulkAward, skip_errors: bool = False) -> BulkAward:
    """Award the checked lines in the background. With lines in error, the awarder must
    confirm that those are skipped."""
    _require_award(actor, bulk.badge_class)
    bulk = BulkAward.objects.select_for_update().get(pk=bulk.pk)
    if bulk.is_running or bulk.status == BulkAward.Status.DONE:
        return bulk  # a repeated click starts nothing twice
    if bulk.status != BulkAward.Status.PREVIEW:
        raise ValidationError(_("Check the preview before you start."))
    ensure_awardable(bulk.badge_class)
    if bulk.valid_rows == 0:
        raise ValidationError(_("No line can be awarded; correct the file and upload it again."))
    if bulk.error_rows and not skip_errors:
        raise ValidationError(
            {
                "skip_errors": [
                    ngettext(
                        "Confirm that the %(count)s line with an error is skipped.",
                        "Confirm that the %(count)s lines with an error are skipped.",
                        bulk.error_rows,
                    )
                    % {"count": bulk.error_rows}
                ]
            }
        )
    if bulk.scheduled_for is not None and bulk.scheduled_for <= timezone.now():
        raise ValidationError(
            {"scheduled_for": [_("The chosen moment has passed; check the columns again.")]}
        )
    bulk.status = BulkAward.Status.QUEUED
    bulk.source = ""  # the staged lines are all that is needed from now on
    bulk.save(update_fields=["status", "source", "updated_at"])
    audit_log(
        actor=actor,
        action="bulk_award_start",
        obj=bulk,
        institution=bulk.badge_class.issuer.faculty.institution,
        summary=f"{bulk.badge_class} · {bulk.filename}",
        data={"valid": bulk.valid_rows, "errors": bulk.error_rows},
    )
    _queue(bulk.pk)
    return bulk


def _queue(bulk_id: int) -> None:
    from ...tasks import process_bulk_award

    process_bulk_award.delay_on_commit(bulk_id)


@transaction.atomic
def bulk_award_cancel(*, actor, bulk: BulkAward) -> BulkAward:
    """Cancel an upload before or while it is processed; awards made so far stay."""
    _require_award(actor, bulk.badge_class)
    bulk = BulkAward.objects.select_for_update().get(pk=bulk.pk)
    if bulk.is_finished:
        return bulk
    was_running = bulk.is_running
    bulk.status = BulkAward.Status.CANCELLED
    bulk.finished_at = timezone.now()
    bulk.source = ""
    bulk.save(update_fields=["status", "finished_at", "source", "updated_at"])
    if was_running:
        audit_log(
            actor=actor,
            action="bulk_award_cancel",
            obj=bulk,
            institution=bulk.badge_class.issuer.faculty.institution,
            summary=f"{bulk.badge_class} · {bulk.filename}",
            data={"processed": bulk.processed_rows},
        )
    else:
        bulk.rows.all().delete()
    return bulk
