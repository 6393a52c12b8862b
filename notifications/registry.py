"""What each kind of notification is called and how its email is built.

Apps register their kinds (``AppConfig.ready``); this app imports none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.mail import EmailMessage

from .models import Notification


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    # The email for a notification, built when it is sent; None when there is nobody to tell.
    build: Callable[[Notification], EmailMessage | None]
    # Runs in the transaction that marks the notification sent (e.g. to record that an
    # institution was told).
    after_sent: Callable[[Notification], None] | None = None
    # The emails of many notifications of this kind at once, by notification id (what they
    # share loaded once); without it they are built one by one.
    build_many: Callable[[list[Notification]], dict[int, EmailMessage | None]] | None = None


_KINDS: dict[str, Kind] = {}


def register(
    name: str,
    *,
    label: str,
    build: Callable[[Notification], EmailMessage | None],
    after_sent: Callable[[Notification], None] | None = None,
    build_many: Callable[[list[Notification]], dict[int, EmailMessage | None]] | None = None,
) -> None:
    _KINDS[name] = Kind(name, label, build, after_sent, build_many)


def kind(name: str) -> Kind:
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(f"no app registered notifications of kind {name!r}") from None


def label(name: str) -> str:
    registered = _KINDS.get(name)
    return str(registered.label) if registered else name
