"""Privacy pages: the student's own (``student``) and the institution admins' (``staff``)."""

from .staff import (
    staff_audit_log,
    staff_institution,
    staff_policy_edit,
    staff_register,
    staff_statement,
    staff_statement_create,
)
from .student import (
    account_delete,
    consent,
    export_download,
    export_request,
    objection,
    overview,
    statement,
    withdraw,
)

__all__ = [
    "account_delete",
    "consent",
    "export_download",
    "export_request",
    "objection",
    "overview",
    "staff_audit_log",
    "staff_institution",
    "staff_policy_edit",
    "staff_register",
    "staff_statement",
    "staff_statement_create",
    "statement",
    "withdraw",
]
