"""Check that the audit trail is as it was written: every chain, from its first entry to its
head. Prints one line per chain; exits with status 1 at the first broken link of any."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from issuers.audit import chain_key, chain_keys, chain_verify
from issuers.models import AuditEntry, Institution


class Command(BaseCommand):
    help = "Verify the hash chains of the audit trail; report the first broken link."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--institution",
            help="only this institution's chain (its id or SCHAC home organisation)",
        )

    def handle(self, *args, institution: str | None = None, **options) -> None:
        keys = [self._key_of(institution)] if institution else chain_keys()
        broken = 0
        for key in keys:
            report = chain_verify(key)
            link = report.first_broken
            if link is None:
                self.stdout.write(
                    f"{key}: intact, {report.length} entr{'y' if report.length == 1 else 'ies'}"
                    + (f" ({report.redacted} with personal data erased)" if report.redacted else "")
                    + f", head {report.head_hash or '-'}"
                )
                continue
            broken += 1
            where = f"entry {link.sequence}"
            if link.entry_id is not None:
                entry = AuditEntry.objects.get(pk=link.entry_id)
                where += f" (id {entry.pk}, {entry.created_at:%Y-%m-%d %H:%M:%S}, {entry.action})"
            more = len(report.problems) - 1
            self.stdout.write(
                f"{key}: BROKEN at {where}: {link.reason}"
                + (f"; {more} more problem{'s' if more != 1 else ''} after it" if more else "")
            )
        if broken:
            raise CommandError(f"{broken} of {len(keys)} audit chains are broken")

    def _key_of(self, value: str) -> str:
        found = Institution.objects.filter(schac_home=value).first()
        if found is None and value.isdigit():
            found = Institution.objects.filter(pk=int(value)).first()
        if found is None:
            raise CommandError(f"No institution {value!r}")
        return chain_key(found.pk)
