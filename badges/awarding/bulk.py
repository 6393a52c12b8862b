"""Bulk awards from a CSV file.

1. ``bulk_award_upload`` reads the file: refused over ``BULK_AWARD_MAX_BYTES`` before it is
   read, refused unless UTF-8 (with or without BOM; Excel workbooks and UTF-16 get their
   own message), the delimiter (``;``, ``,`` or tab) detected, columns mapped by their
   header where the names are known (Dutch or English).
2. ``bulk_award_prepare`` stages every line with what is wrong with it (bad email, eppn not
   matching the institution's pattern, duplicate line, already holds or has been offered
   the badge, missing narrative or evidence, missing prerequisites): the preview. Nothing
   is awarded yet.
3. ``bulk_award_start`` queues ``bulk_award_process``, which creates the awards in batches
   (one transaction each, with their audit entries and notifications) and keeps the
   counters the progress bar shows. A batch is all or nothing and marks its rows, so a
   crashed or repeated run resumes where it stopped and never awards a line twice.
4. ``report_rows`` is the result per line, for a CSV download that no spreadsheet will
   execute (see ``spreadsheet_safe``).
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, transaction
from django.db.models import F, Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from issuers.audit import audit_log
from issuers.permissions import Action, has_perm

from ..models import Award, BadgeClass, BulkAward, BulkAwardRow
from . import audit
from .awards import after_offer, check_override, issues_directly, offer_expiry
from .notifications import Kind, notifications_queue_many
from .rules import (
    Recipient,
    email_is_valid,
    ensure_awardable,
    eppn_is_valid,
    eppn_pattern,
    held_assertions,
    holder_identities,
    identities,
    normalise_email,
    normalise_eppn,
    open_award_identities,
    open_awards,
    url_is_valid,
)

logger = logging.getLogger(__name__)

DELIMITERS = (";", ",", "\t")
DELIMITER_NAMES = {
    ";": gettext_lazy("semicolon"),
    ",": gettext_lazy("comma"),
    "\t": gettext_lazy("tab"),
}
STALE_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class Column:
    field: str
    label: str
    aliases: tuple[str, ...]
    max_length: int


COLUMNS = (
    Column(
        "email",
        gettext_lazy("Email address"),
        ("email", "emailaddress", "mail", "emailadres", "recipientemail", "ontvanger"),
        254,
    ),
    Column("eppn", gettext_lazy("eppn"), ("eppn", "edupersonprincipalname", "eduid"), 255),
    Column(
        "name",
        gettext_lazy("Name"),
        ("name", "naam", "fullname", "volledigenaam", "recipientname", "studentname"),
        255,
    ),
    Column("first_name", gettext_lazy("First name"), ("firstname", "voornaam", "givenname"), 120),
    Column(
        "last_name",
        gettext_lazy("Last name"),
        ("lastname", "achternaam", "surname", "familyname"),
        120,
    ),
    Column(
        "narrative",
        gettext_lazy("Narrative"),
        ("narrative", "toelichting", "motivatie", "verhaal", "omschrijving"),
        10_000,
    ),
    Column(
        "evidence_url",
        gettext_lazy("Evidence URL"),
        ("evidence", "evidenceurl", "bewijs", "bewijsurl", "bewijsstuk"),
        2000,
    ),
    Column("grade", gettext_lazy("Grade"), ("grade", "cijfer", "resultaat", "score"), 64),
    Column("language", gettext_lazy("Language (nl or en)"), ("language", "taal", "lang"), 2),
)
COLUMN_BY_FIELD = {column.field: column for column in COLUMNS}

# Per-line problems: code → message (with %(...)s parameters), in the reader's language.
ROW_ERRORS = {
    "missing_identity": gettext_lazy("No email address and no eppn."),
    "invalid_email": gettext_lazy("“%(value)s” is not a valid email address."),
    "eppn_mismatch": gettext_lazy(
        "eppn “%(value)s” does not match the pattern of the institution."
    ),
    "duplicate": gettext_lazy("Same recipient as line %(line)s."),
    "already_holds": gettext_lazy("The recipient already holds this badge."),
    "already_offered": gettext_lazy("This badge has already been offered to the recipient."),
    "narrative_required": gettext_lazy("This badge requires a narrative; the cell is empty."),
    "evidence_required": gettext_lazy("This badge requires evidence; no evidence URL."),
    "invalid_evidence_url": gettext_lazy("“%(value)s” is not a valid http(s) URL."),
    "invalid_language": gettext_lazy("Language must be nl or en, not “%(value)s”."),
    "too_long": gettext_lazy("%(column)s is longer than %(max)s characters."),
    "too_many_cells": gettext_lazy(
        "This line has %(count)s cells, the header %(header)s: is there a delimiter in a value "
        "without quotes?"
    ),
    "prerequisites_missing": gettext_lazy(
        "The recipient does not hold the required badges: %(names)s."
    ),
}


def row_error_text(error: dict) -> str:
    message = ROW_ERRORS.get(error.get("code", ""), error.get("code", ""))
    params = dict(error.get("params") or {})
    if "column" in params and params["column"] in COLUMN_BY_FIELD:
        params["column"] = COLUMN_BY_FIELD[params["column"]].label
    try:
        return str(message) % params if params else str(message)
    except (KeyError, TypeError, ValueError):
        return str(message)


def row_errors_text(row: BulkAwardRow) -> str:
    return " ".join(row_error_text(error) for error in row.errors)


# --- reading the file -------------------------------------------------------------------------


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def decode_upload(data: bytes) -> str:
    """The text of an uploaded CSV file; refuses anything but UTF-8 with a clear message."""
    if not data.strip():
        raise ValidationError(_("The file is empty."), code="empty")
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ValidationError(
            _(
                "This is an Excel workbook, not a CSV file. In Excel, choose File › Save as › "
                "“CSV UTF-8 (comma delimited)” and upload that file."
            ),
            code="excel",
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValidationError(
            _(
                "The file is saved as UTF-16 (“Unicode text”). Save it as “CSV UTF-8” and "
                "upload it again."
            ),
            code="encoding",
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValidationError(
            _(
                "The file is not UTF-8 encoded (the first unreadable character is on line "
                "%(line)s). Save it as “CSV UTF-8” (in Excel: File › Save as › CSV UTF-8) "
                "and upload it again."
            )
            % {"line": _line_of(data, error.start)},
            code="encoding",
        ) from error
    if "\x00" in text:
        raise ValidationError(
            _("The file contains binary data; upload a CSV text file."), code="binary"
        )
    return text


def sniff_delimiter(text: str) -> str:
    """``;``, ``,`` or tab: the one that splits the header into the most columns (column
    names rarely hold one); on a tie, the one that splits the next lines most alike."""
    sample_lines = [line for line in text[:64_000].splitlines() if line.strip()][:20]
    sample = "\n".join(sample_lines)
    best, best_score = ",", (1, 0.0)
    for delimiter in DELIMITERS:
        try:
            counts = [len(row) for row in csv.reader(io.StringIO(sample), delimiter=delimiter)]
        except csv.Error:
            continue
        if not counts or counts[0] < 2:
            continue
        alike = sum(1 for count in counts if count == counts[0]) / len(counts)
        score = (counts[0], alike)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_rows(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(line number where the record starts, cells) for every record, header included."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    previous_end = 0
    try:
        for cells in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            yield start, cells
    except csv.Error as error:
        raise ValidationError(
            _("Line %(line)s cannot be read: %(error)s.")
            % {"line": previous_end + 1, "error": error},
            code="csv",
        ) from error


def _is_blank(cells: list[str]) -> bool:
    return not any(cell.strip() for cell in cells)


def _alias(header: str) -> str:
    return re.sub(r"[\s_\-.]+", "", header.strip().lower())


def auto_mapping(header: list[str]) -> dict[str, int]:
    """Map the columns whose header names a known field (Dutch or English)."""
    mapping: dict[str, int] = {}
    for index, title in enumerate(header):
        alias = _alias(title)
        for column in COLUMNS:
            if column.field not in mapping and alias in column.aliases:
                mapping[column.field] = index
                break
    return mapping


def upload_size_error(size: int) -> str | None:
    limit = settings.BULK_AWARD_MAX_BYTES
    if size > limit:
        return _(
            "The file is %(size)s; at most %(limit)s can be uploaded. Split it into smaller files."
        ) % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
    return None


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
            if _is_blank(cells):
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


def column_samples(bulk: BulkAward, limit: int = 3) -> list[list[str]]:
    """The first values of every column, to help whoever maps them."""
    samples: list[list[str]] = [[] for _title in bulk.header]
    seen_header = False
    for _line, cells in read_rows(bulk.source, bulk.delimiter):
        if _is_blank(cells):
            continue
        if not seen_header:
            seen_header = True
            continue
        for index, cell in enumerate(cells[: len(samples)]):
            if cell.strip() and len(samples[index]) < limit:
                samples[index].append(cell.strip()[:60])
        if all(len(values) >= limit for values in samples):
            break
    return samples


def validate_mapping(
    bulk: BulkAward, mapping: dict[str, int | None], *, narrative: str = ""
) -> dict[str, int]:
    clean = {
        field: index
        for field, index in mapping.items()
        if field in COLUMN_BY_FIELD and index is not None and 0 <= int(index) < len(bulk.header)
    }
    errors: list[str] = []
    if "email" not in clean and "eppn" not in clean:
        errors.append(_("Choose the column with the email address or the eppn of the recipients."))
    used: dict[int, str] = {}
    for field, index in clean.items():
        if index in used:
            errors.append(
                _("The column “%(column)s” is chosen twice.") % {"column": bulk.header[index]}
            )
        used[index] = field
    if bulk.badge_class.narrative_required and "narrative" not in clean and not narrative.strip():
        errors.append(
            _(
                "This badge requires a narrative: choose the narrative column, or write one "
                "narrative for every recipient."
            )
        )
    if errors:
        raise ValidationError({"mapping": errors})
    return {field: int(index) for field, index in clean.items()}


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
        if not _is_blank(cells)
    ][1:]
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
    from ..tasks import process_bulk_award

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


# --- processing --------------------------------------------------------------------------------


def bulk_award_process(*, bulk_id: int) -> bool:
    """Create the awards of a started upload, batch by batch. Returns False when another
    worker has it or it is not waiting."""
    claimed = BulkAward.objects.filter(pk=bulk_id, status=BulkAward.Status.QUEUED).update(
        status=BulkAward.Status.PROCESSING,
        started_at=timezone.now(),
        updated_at=timezone.now(),
    )
    if not claimed:
        return False
    try:
        while _process_batch(bulk_id):
            pass
    except OperationalError:
        # A passing database problem: queue it again and let the task retry.
        BulkAward.objects.filter(pk=bulk_id, status=BulkAward.Status.PROCESSING).update(
            status=BulkAward.Status.QUEUED, updated_at=timezone.now()
        )
        raise
    except Exception:
        logger.exception("Bulk award %s failed", bulk_id)
        bulk = BulkAward.objects.get(pk=bulk_id)
        BulkAward.objects.filter(pk=bulk_id, status=BulkAward.Status.PROCESSING).update(
            status=BulkAward.Status.FAILED,
            failure=_("An unexpected error stopped the processing after %(count)s lines.")
            % {"count": bulk.processed_rows},
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
        raise
    with transaction.atomic():
        finished = BulkAward.objects.filter(pk=bulk_id, status=BulkAward.Status.PROCESSING).update(
            status=BulkAward.Status.DONE, finished_at=timezone.now(), updated_at=timezone.now()
        )
        if finished:
            bulk = BulkAward.objects.select_related(
                "badge_class__issuer__faculty__institution"
            ).get(pk=bulk_id)
            audit_log(
                actor=None,
                action="bulk_award_finish",
                obj=bulk,
                institution=bulk.badge_class.issuer.faculty.institution,
                summary=f"{bulk.badge_class} · {bulk.filename}",
                data={"awarded": bulk.created_awards, "skipped": bulk.skipped_rows},
            )
    return True


def _process_batch(bulk_id: int) -> bool:
    """Award the next batch of lines; False when nothing is left (or it was cancelled)."""
    with transaction.atomic():
        bulk = (
            BulkAward.objects.select_for_update(of=("self",))
            .select_related("badge_class__issuer__faculty__institution", "created_by")
            .get(pk=bulk_id)
        )
        if bulk.status != BulkAward.Status.PROCESSING:
            return False
        rows = list(
            bulk.rows.filter(status=BulkAwardRow.Status.VALID).order_by("line")[
                : settings.BULK_AWARD_BATCH_SIZE
            ]
        )
        if not rows:
            return False
        created, skipped = _award_rows(bulk, rows)
        BulkAward.objects.filter(pk=bulk_id).update(
            processed_rows=F("processed_rows") + len(rows),
            created_awards=F("created_awards") + created,
            skipped_rows=F("skipped_rows") + skipped,
            updated_at=timezone.now(),
        )
    return True


def _award_rows(bulk: BulkAward, rows: list[BulkAwardRow]) -> tuple[int, int]:
    badge_class = bulk.badge_class
    institution = badge_class.issuer.faculty.institution
    # Serialises with single awards of this badge, as award_create does.
    BadgeClass.objects.select_for_update().filter(pk=badge_class.pk).first()
    keys_by_row = {row.pk: {key for key in (row.email, row.eppn) if key} for row in rows}
    all_keys = set().union(*keys_by_row.values())
    users = (
        get_user_model()
        .objects.filter(Q(email__in=all_keys) | Q(eppn__in=all_keys))
        .values_list("email", "eppn")
    )
    for email, eppn in users:
        email, eppn = (email or "").lower(), (eppn or "").lower()
        for keys in keys_by_row.values():
            if email in keys or (eppn and eppn in keys):
                keys.update(key for key in (email, eppn) if key)
    all_keys = set().union(*keys_by_row.values())
    holders = identities(
        held_assertions(badge_class)
        .filter(
            Q(recipient_identity__in=all_keys)
            | Q(recipient__email__in=all_keys)
            | Q(recipient__eppn__in=all_keys)
        )
        .values_list("recipient_identity", "recipient__email", "recipient__eppn")
    )
    offered = identities(
        open_awards(badge_class)
        .filter(
            Q(recipient_email__in=all_keys)
            | Q(recipient_eppn__in=all_keys)
            | Q(recipient__email__in=all_keys)
        )
        .values_list("recipient_email", "recipient_eppn", "recipient__email", "recipient__eppn")
    )
    now = timezone.now()
    scheduled = bulk.scheduled_for is not None and bulk.scheduled_for > now
    awards: list[Award] = []
    awarded_rows: list[BulkAwardRow] = []
    skipped = 0
    for row in rows:
        keys = keys_by_row[row.pk]
        if keys & holders or keys & offered:
            # Awarded by someone else since the preview.
            row.status = BulkAwardRow.Status.SKIPPED
            row.errors = [{"code": "already_holds" if keys & holders else "already_offered"}]
            skipped += 1
            continue
        award = Award(
            badge_class=badge_class,
            recipient_email=row.email,
            recipient_eppn=row.eppn,
            recipient_name=row.name,
            narrative=row.narrative or bulk.narrative,
            evidence_url=row.evidence_url,
            grade=row.grade,
            recipient_language=row.language if row.language in ("nl", "en") else "",
            created_by=bulk.created_by,
            created_at=now,
            bulk_award=bulk,
            prerequisites_overridden=row.prerequisites_overridden,
            override_reason=bulk.override_reason if row.prerequisites_overridden else "",
        )
        if scheduled:
            award.status = Award.Status.SCHEDULED
            award.scheduled_for = bulk.scheduled_for
        else:
            award.status = Award.Status.OFFERED
            award.offered_at = now
            award.expires_at = offer_expiry(now)
        awards.append(award)
        awarded_rows.append(row)
        offered.update(keys)  # two lines of one batch never both award
    Award.objects.bulk_create(awards, batch_size=500)
    if awards and awards[0].pk is None:  # databases that return no keys from a bulk insert
        by_token = dict(
            Award.objects.filter(claim_token__in=[a.claim_token for a in awards]).values_list(
                "claim_token", "pk"
            )
        )
        for award in awards:
            award.pk = by_token[award.claim_token]
    for row, award in zip(awarded_rows, awards, strict=True):
        row.status = BulkAwardRow.Status.CREATED
        row.award = award
    BulkAwardRow.objects.bulk_update(rows, ["status", "award", "errors"], batch_size=500)
    actor = bulk.created_by
    audit_log(
        actor=actor,
        action="award_schedule" if scheduled else "award_create",
        objects=awards,
        institution=institution,
        summary=audit.award_summary,
        data={"bulk_award": str(bulk.public_id)},
    )
    overridden = [award for award in awards if award.prerequisites_overridden]
    if overridden:
        audit_log(
            actor=actor,
            action="prerequisites_override",
            objects=overridden,
            institution=institution,
            summary=audit.award_summary,
            data={"bulk_award": str(bulk.public_id), "reason": bulk.override_reason},
        )
    if not scheduled and awards:
        if issues_directly(badge_class):
            for award in awards:
                after_offer(
                    award=award,
                    actor=actor,
                    recipient=Recipient.of(email=award.recipient_email, eppn=award.recipient_eppn),
                )
        else:
            notifications_queue_many(Kind.AWARD_OFFERED, awards)
    return len(awards), skipped


# --- progress, report, housekeeping ---------------------------------------------------------


def bulk_award_progress(bulk: BulkAward) -> dict:
    return {
        "status": bulk.status,
        "status_label": str(bulk.get_status_display()),
        "valid": bulk.valid_rows,
        "processed": bulk.processed_rows,
        "awarded": bulk.created_awards,
        "skipped": bulk.skipped_rows,
        "percent": bulk.percent,
        "finished": bulk.is_finished,
        "message": progress_message(bulk),
    }


def progress_message(bulk: BulkAward) -> str:
    if bulk.status == BulkAward.Status.QUEUED:
        return _("Waiting for a worker to start…")
    if bulk.status == BulkAward.Status.PROCESSING:
        return _("%(processed)s of %(total)s lines processed.") % {
            "processed": bulk.processed_rows,
            "total": bulk.valid_rows,
        }
    if bulk.status == BulkAward.Status.DONE:
        return ngettext(
            "Done: %(count)s badge awarded.", "Done: %(count)s badges awarded.", bulk.created_awards
        ) % {"count": bulk.created_awards}
    if bulk.status == BulkAward.Status.FAILED:
        return bulk.failure or _("The processing failed.")
    if bulk.status == BulkAward.Status.CANCELLED:
        return _("Cancelled after %(count)s lines.") % {"count": bulk.processed_rows}
    return str(bulk.get_status_display())


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value) -> str:
    """A cell a spreadsheet shows as text: one that would start a formula (``=``, ``+``,
    ``-``, ``@``, tab or carriage return) gets a leading apostrophe (OWASP: CSV injection)."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


REPORT_RESULTS = {
    BulkAwardRow.Status.VALID: gettext_lazy("not processed"),
    BulkAwardRow.Status.INVALID: gettext_lazy("error"),
    BulkAwardRow.Status.CREATED: gettext_lazy("awarded"),
    BulkAwardRow.Status.SKIPPED: gettext_lazy("skipped"),
}


def report_rows(bulk: BulkAward) -> Iterator[list[str]]:
    """The result per line, header first; every cell made spreadsheet-safe."""
    yield [
        _("line"),
        _("email"),
        _("eppn"),
        _("name"),
        _("result"),
        _("message"),
        _("award status"),
        _("claim link sent"),
    ]
    rows = bulk.rows.select_related("award").order_by("line").iterator(chunk_size=2000)
    for row in rows:
        award = row.award
        yield [
            spreadsheet_safe(value)
            for value in (
                row.line,
                row.email,
                row.eppn,
                row.name,
                REPORT_RESULTS.get(row.status, row.status),
                row_errors_text(row),
                award.get_status_display() if award else "",
                _("yes") if award and award.offered_at else "",
            )
        ]


def bulk_awards_sweep(*, now: datetime | None = None) -> int:
    """Queue again uploads that a lost message or a crashed worker left waiting."""
    now = now or timezone.now()
    BulkAward.objects.filter(
        status=BulkAward.Status.PROCESSING, updated_at__lt=now - STALE_AFTER
    ).update(status=BulkAward.Status.QUEUED, updated_at=now)
    stuck = list(
        BulkAward.objects.filter(
            status=BulkAward.Status.QUEUED, updated_at__lt=now - STALE_AFTER
        ).values_list("pk", flat=True)
    )
    from ..tasks import process_bulk_award

    for bulk_id in stuck:
        process_bulk_award.delay(bulk_id)
    return len(stuck)


def bulk_awards_purge(*, now: datetime | None = None) -> int:
    """Remove the lines (names and addresses) of uploads finished or abandoned longer than
    ``BULK_AWARD_RETENTION_DAYS`` ago; the upload's counts stay. Returns the lines removed."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.BULK_AWARD_RETENTION_DAYS)
    finished = BulkAward.objects.filter(
        status__in=(BulkAward.Status.DONE, BulkAward.Status.FAILED, BulkAward.Status.CANCELLED),
        updated_at__lt=cutoff,
    )
    abandoned = BulkAward.objects.filter(
        status__in=(BulkAward.Status.UPLOADED, BulkAward.Status.PREVIEW), updated_at__lt=cutoff
    )
    removed = 0
    while True:
        with transaction.atomic():
            ids = list(
                BulkAwardRow.objects.filter(
                    Q(bulk_award__in=finished) | Q(bulk_award__in=abandoned)
                ).values_list("pk", flat=True)[:2000]
            )
            if not ids:
                break
            removed += BulkAwardRow.objects.filter(pk__in=ids).delete()[0]
    abandoned.update(status=BulkAward.Status.CANCELLED, source="", finished_at=now)
    return removed
