"""Sanitise every SVG already in the media folder, as uploads are sanitised today.

Files stored before the allow-list existed may hold script, animation or outside references;
each SVG is rewritten in place with only its allowed parts. Prints what changed; ``--check``
only reports (exit status 1 when something would change).
"""

from __future__ import annotations

import posixpath

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError

from issuers.svg import SvgError, looks_like_svg, sanitise_svg


def _walk(folder: str = ""):
    folders, files = default_storage.listdir(folder)
    for name in sorted(files):
        yield posixpath.join(folder, name)
    for sub in sorted(folders):
        yield from _walk(posixpath.join(folder, sub))


class Command(BaseCommand):
    help = "Rewrite every stored SVG upload with only the parts the allow-list keeps."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--check", action="store_true", help="report only, change nothing")

    def handle(self, *args, check: bool = False, **options) -> None:
        changed = unreadable = seen = 0
        for name in _walk():
            with default_storage.open(name, "rb") as handle:
                data = handle.read()
            if not looks_like_svg(data):
                continue
            seen += 1
            try:
                result = sanitise_svg(data)
            except SvgError:
                unreadable += 1
                self.stdout.write(f"{name}: not a well-formed SVG; left as it is")
                continue
            if result.data == data:
                continue
            changed += 1
            removed = ", ".join(dict.fromkeys(what for _kind, what in result.removed)) or "-"
            self.stdout.write(f"{name}: {'would be ' if check else ''}sanitised; removed {removed}")
            if not check:
                default_storage.delete(name)
                stored = default_storage.save(name, ContentFile(result.data))
                if stored != name:
                    raise CommandError(f"{name} was stored as {stored}")
        self.stdout.write(
            f"{seen} SVG files, {changed} {'to sanitise' if check else 'sanitised'}, {unreadable} unreadable"
        )
        if check and changed:
            raise SystemExit(1)
