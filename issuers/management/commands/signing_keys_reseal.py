"""Seal every issuer's private signing key with the newest key-encryption key.

Rotate the key-encryption key in three steps: put a new key in front of
SIGNING_KEY_ENCRYPTION_KEYS (the old one after it) and restart; run this command; remove the
old key and restart again."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from issuers.signing import signing_keys_reseal


class Command(BaseCommand):
    help = "Re-seal every private signing key with the newest key-encryption key."

    def handle(self, *args, **options) -> None:
        report = signing_keys_reseal()
        self.stdout.write(
            f"{report.older} key(s) re-sealed with the newest key-encryption key; "
            f"{report.newest} already were."
        )
        for key in report.unopenable_retired:
            self.stderr.write(
                f"Retired key {key.public_id} of {key.issuer} opens with none of the configured "
                "key-encryption keys; left as it is (it no longer signs)."
            )
        if report.unopenable_active:
            names = ", ".join(f"{key.public_id} ({key.issuer})" for key in report.unopenable_active)
            raise CommandError(
                "These active signing keys open with none of the configured key-encryption "
                f"keys and were left as they are: {names}. Add the key they were sealed with "
                "to SIGNING_KEY_ENCRYPTION_KEYS and run this again."
            )
