"""Bulk awards: many recipients of one badge class, from a CSV upload or from the API.

1. ``parsing``: an uploaded file is refused over ``BULK_AWARD_MAX_BYTES`` before it is read,
   refused unless UTF-8 (with or without BOM; Excel workbooks and UTF-16 get their own
   message), its delimiter (``;``, ``,`` or tab) detected, its columns mapped by their header
   where the names are known (Dutch or English).
2. ``staging``: ``bulk_award_upload`` keeps the file, ``bulk_award_prepare`` stages every line
   with what is wrong with it (bad email, eppn not matching the institution's pattern,
   duplicate line, already holds or has been offered the badge, missing narrative or
   evidence, missing prerequisites): the preview. ``bulk_award_submit`` stages the recipients
   sent to the API the same way and starts at once. ``bulk_award_start`` queues the
   processing. Nothing is awarded in this step.
3. ``processing``: ``bulk_award_process`` creates the awards in batches (one transaction each,
   with their audit entries and notifications) and keeps the counters the progress bar
   shows. A batch is all or nothing and marks its rows, so a crashed or repeated run resumes
   where it stopped and never awards a line twice.
4. ``reporting``: the messages per line, the progress, ``report_rows`` (the result per line,
   for a CSV download that no spreadsheet will execute) and ``bulk_award_report`` for the API.
"""

from .parsing import (
    COLUMN_BY_FIELD,
    COLUMNS,
    DELIMITER_NAMES,
    DELIMITERS,
    Column,
    auto_mapping,
    column_samples,
    decode_upload,
    read_rows,
    sniff_delimiter,
    upload_size_error,
    validate_mapping,
)
from .processing import (
    STALE_AFTER,
    bulk_award_process,
    bulk_awards_purge,
    bulk_awards_sweep,
)
from .reporting import (
    FORMULA_PREFIXES,
    REPORT_RESULTS,
    ROW_ERRORS,
    bulk_award_progress,
    bulk_award_report,
    lines_in_error,
    progress_message,
    report_rows,
    row_error_text,
    row_errors_text,
    spreadsheet_safe,
)
from .staging import (
    API_FIELDS,
    NothingToAward,
    bulk_award_cancel,
    bulk_award_prepare,
    bulk_award_start,
    bulk_award_submit,
    bulk_award_upload,
)

__all__ = [
    "API_FIELDS",
    "COLUMNS",
    "COLUMN_BY_FIELD",
    "Column",
    "DELIMITERS",
    "DELIMITER_NAMES",
    "FORMULA_PREFIXES",
    "NothingToAward",
    "REPORT_RESULTS",
    "ROW_ERRORS",
    "STALE_AFTER",
    "auto_mapping",
    "bulk_award_cancel",
    "bulk_award_prepare",
    "bulk_award_process",
    "bulk_award_progress",
    "bulk_award_report",
    "bulk_award_start",
    "bulk_award_submit",
    "bulk_award_upload",
    "bulk_awards_purge",
    "bulk_awards_sweep",
    "column_samples",
    "decode_upload",
    "lines_in_error",
    "progress_message",
    "read_rows",
    "report_rows",
    "row_error_text",
    "row_errors_text",
    "sniff_delimiter",
    "spreadsheet_safe",
    "upload_size_error",
    "validate_mapping",
]
