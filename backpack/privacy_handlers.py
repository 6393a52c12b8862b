"""The backpack's personal data (collections, imported badges) for export and erasure."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .models import Collection, ExternalBadge, HiddenBadge


def export(user) -> tuple[dict, list[tuple[str, bytes]]]:
    collections = [
        {
            "name": collection.name,
            "description": collection.description,
            "shared": collection.is_public,
            "badges": [assertion.public_id for assertion in collection.assertions.all()],
            "external_badges": [str(badge.public_id) for badge in collection.external_badges.all()],
        }
        for collection in Collection.objects.filter(owner=user).prefetch_related(
            "assertions", "external_badges"
        )
    ]
    files: list[tuple[str, bytes]] = []
    external = []
    for badge in ExternalBadge.objects.filter(owner=user):
        external.append(
            {
                "id": str(badge.public_id),
                "name": badge.name,
                "issuer": badge.issuer_name,
                "format": badge.ob_format,
                "imported_at": badge.imported_at.isoformat(),
                "credential": badge.credential,
            }
        )
        files.append((f"external/{badge.public_id}.original", bytes(badge.original)))
    hidden = list(
        HiddenBadge.objects.filter(owner=user).values_list("assertion__public_id", flat=True)
    )
    return {
        "collections": collections,
        "external_badges": external,
        "hidden_badges": hidden,
    }, files


def erase(user) -> None:
    Collection.objects.filter(owner=user).delete()
    ExternalBadge.objects.filter(owner=user).delete()
    HiddenBadge.objects.filter(owner=user).delete()


def describe_withdrawal(user, institution, badge_type) -> list[str]:
    return []


def withdraw(user, institution, badge_type) -> int:
    return 0


def register() -> None:
    from privacy import registry

    registry.register(
        "backpack",
        export=export,
        erase=erase,
        describe_withdrawal=describe_withdrawal,
        withdraw=withdraw,
        personal_data=[
            _("Collections of badges you made, and whether they are shared."),
            _("Badges of other issuers you imported, as you provided them."),
            _("Which of your badges you hid from your list."),
        ],
    )
