"""Verify a badge file (baked PNG/SVG, JSON, JWS) or URL and print a JSON report.

Exit status 0 when the badge is valid, 1 when it is not.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from badges.verification import badge_verify

MAX_FILE_BYTES = 10 * 1024 * 1024


class Command(BaseCommand):
    help = "Verify an Open Badge (baked PNG/SVG, OB 2.0/3.0 JSON, JWS, VC-JWT, or URL)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("badge", help="a file path or an http(s) URL")
        parser.add_argument("--recipient", help="the email address the badge should be for")

    def handle(self, *args, **options) -> None:
        source: str = options["badge"]
        if source.startswith(("http://", "https://")):
            data: bytes | str = source
        else:
            path = Path(source)
            if not path.is_file():
                raise CommandError(f"{source}: no such file")
            if path.stat().st_size > MAX_FILE_BYTES:
                raise CommandError(f"{source}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
            data = path.read_bytes()
        report = badge_verify(data=data, recipient=options.get("recipient"))
        self.stdout.write(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
        if not report.valid:
            raise SystemExit(1)
