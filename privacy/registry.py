"""Where apps that hold personal data plug into privacy (as pretix's data shredders do).

``privacy`` imports no app that holds personal data. Each such app registers, from its
``AppConfig.ready()``, one handler::

    from privacy import registry

    registry.register(
        "badges",
        export=export_user_data,            # (user) -> (dict, [(path, bytes), ...])
        erase=erase_user_data,              # (user) -> None
        describe_withdrawal=consequences,   # (user, institution, badge_type) -> [str, ...]
        withdraw=withdraw_consent,          # (user, institution, badge_type) -> int
        purge=purge_expired,                # (now) -> int, optional, for the retention job
        personal_data=[_("Awards: ..."), ...],  # for the processing register
    )

- ``export`` returns a JSON-serialisable dict (stored under the handler's name in the
  export's ``data.json``) and files (stored under ``<name>/<path>`` in the zip).
- ``erase`` erases or anonymises everything of ``user``; the account itself is anonymised
  by privacy afterwards, in the same transaction.
- ``describe_withdrawal`` lists, in the student's language, what withdrawing consent for
  ``institution`` × ``badge_type`` will do; ``withdraw`` does it and returns how many
  objects it changed. Both run inside privacy's transaction.
- ``purge`` removes data past its retention period and returns how many rows went; it must
  be idempotent and safe to run concurrently (claim rows with ``skip_locked``).
- ``panel`` (optional) returns what the student's privacy page shows for the app, as
  ``(template name, context)``, or ``None`` when there is nothing to show.
- ``related_types`` (optional) lists the (institution id, badge type) pairs the app holds
  data of ``user`` for, so that the student's privacy page offers objection and withdrawal
  there even without a recorded answer (a badge issued directly on award).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser

from issuers.models import Institution

ExportResult = tuple[dict[str, Any], list[tuple[str, bytes]]]
Exporter = Callable[[AbstractBaseUser], ExportResult]
Eraser = Callable[[AbstractBaseUser], None]
WithdrawalDescriber = Callable[[AbstractBaseUser, Institution, str], list[str]]
Withdrawer = Callable[[AbstractBaseUser, Institution, str], int]
Purger = Callable[[datetime], int]
RelatedTypes = Callable[[AbstractBaseUser], Iterable[tuple[int, str]]]
Panel = Callable[[AbstractBaseUser], tuple[str, dict[str, Any]] | None]


@dataclass(frozen=True)
class PersonalDataHandler:
    name: str
    export: Exporter
    erase: Eraser
    describe_withdrawal: WithdrawalDescriber
    withdraw: Withdrawer
    purge: Purger | None = None
    personal_data: Sequence[str] = field(default_factory=tuple)
    related_types: RelatedTypes | None = None
    panel: Panel | None = None


_handlers: dict[str, PersonalDataHandler] = {}


def register(
    name: str,
    *,
    export: Exporter,
    erase: Eraser,
    describe_withdrawal: WithdrawalDescriber,
    withdraw: Withdrawer,
    purge: Purger | None = None,
    personal_data: Sequence[str] = (),
    related_types: RelatedTypes | None = None,
    panel: Panel | None = None,
) -> PersonalDataHandler:
    """Register (or replace) the handler called ``name``."""
    if not name.isidentifier():
        raise ValueError(f"A handler name must be a plain identifier, not {name!r}")
    handler = PersonalDataHandler(
        name=name,
        export=export,
        erase=erase,
        describe_withdrawal=describe_withdrawal,
        withdraw=withdraw,
        purge=purge,
        personal_data=tuple(personal_data),
        related_types=related_types,
        panel=panel,
    )
    _handlers[name] = handler
    return handler


def unregister(name: str) -> None:
    _handlers.pop(name, None)


def handlers() -> list[PersonalDataHandler]:
    """Every registered handler, in the order of registration."""
    return list(_handlers.values())
