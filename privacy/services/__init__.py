"""Every write of the privacy app. Import from here: ``from privacy import services``.

Consent step (used by the claim and enrolment flows):
    consent_requirement(*, user, institution, badge_type) -> ConsentRequirement
    consent_record(*, user, statement, agreed) -> ConsentRecord
    has_valid_consent(*, user, institution, badge_type) -> bool

Rights of the student:
    consent_withdraw(*, user, institution, badge_type) -> int
    withdrawal_consequences(*, user, institution, badge_type) -> list[str]
    objection_record(*, user, institution, badge_type, reason="") -> Objection
    data_export_request(*, user) -> DataExport
    data_export_download(*, user, export) -> bytes
    account_erase(*, actor, user) -> None

Institution admins:
    privacy_policy_save(*, actor, institution, badge_type, legal_basis, ...) -> PrivacyPolicy
    privacy_statement_publish(*, actor, policy, ...) -> PrivacyStatement

Emails (built by the outbox): objection_message, objection_told, export_ready_message.

Tasks and retention: data_export_build,
retention_purge_awards, retention_purge_exports, retention_purge_invitations,
data_exports_requeue.
"""

from .consent import (
    ConsentNeed,
    ConsentRequirement,
    PrivacyNotConfigured,
    consent_record,
    consent_requirement,
    consent_withdraw,
    has_valid_consent,
    objection_message,
    objection_record,
    objection_told,
    withdrawal_consequences,
)
from .erasure import account_erase
from .export import (
    data_export_build,
    data_export_download,
    data_export_request,
    export_archive,
    export_ready_message,
)
from .policies import privacy_policy_save, privacy_statement_publish
from .retention import (
    data_exports_requeue,
    retention_purge_awards,
    retention_purge_exports,
    retention_purge_invitations,
)

__all__ = [
    "ConsentNeed",
    "ConsentRequirement",
    "PrivacyNotConfigured",
    "account_erase",
    "consent_record",
    "consent_requirement",
    "consent_withdraw",
    "data_export_build",
    "data_export_download",
    "data_export_request",
    "data_exports_requeue",
    "export_archive",
    "export_ready_message",
    "has_valid_consent",
    "objection_message",
    "objection_told",
    "objection_record",
    "privacy_policy_save",
    "privacy_statement_publish",
    "retention_purge_awards",
    "retention_purge_exports",
    "retention_purge_invitations",
    "withdrawal_consequences",
]
