"""Reading a bulk upload: decoding the file, finding the delimiter, splitting records and
mapping columns to fields. Writes nothing."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ...models import BulkAward

DELIMITERS = (";", ",", "\t")
DELIMITER_NAMES = {
    ";": gettext_lazy("semicolon"),
    ",": gettext_lazy("comma"),
    "\t": gettext_lazy("tab"),
}


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


def is_blank(cells: list[str]) -> bool:
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


def column_samples(bulk: BulkAward, limit: int = 3) -> list[list[str]]:
    """The first values of every column, to help whoever maps them."""
    samples: list[list[str]] = [[] for _title in bulk.header]
    seen_header = False
    for _line, cells in read_rows(bulk.source, bulk.delimiter):
        if is_blank(cells):
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
