"""Writing many rows at once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.db import connections, router
from django.db.models import Model

BATCH_SIZE = 1000


def update_columns(
    model: type[Model], fields: Sequence[str], values: Mapping[object, Sequence[object]]
) -> None:
    """Give each row (by primary key) its own values of ``fields``: ``values`` maps a key to
    one value per field.

    On PostgreSQL this is one UPDATE joined to a list of VALUES per thousand rows. Django's
    ``bulk_update`` writes a CASE with a branch per row instead, which the database
    evaluates for every row it updates: its cost grows with the square of the batch. Other
    databases (SQLite, for development) use ``bulk_update``.
    """
    if not values:
        return
    database = router.db_for_write(model)
    connection = connections[database]
    if connection.vendor != "postgresql":
        objects = []
        for key, row in values.items():
            instance = model(pk=key)
            for name, value in zip(fields, row, strict=True):
                setattr(instance, model._meta.get_field(name).attname, value)
            objects.append(instance)
        model.objects.using(database).bulk_update(
            objects, [model._meta.get_field(name).name for name in fields], batch_size=500
        )
        return
    meta = model._meta
    columns = [meta.pk, *(meta.get_field(name) for name in fields)]
    quote = connection.ops.quote_name
    placeholders = "(" + ", ".join(f"%s::{field.db_type(connection)}" for field in columns) + ")"
    names = ", ".join(quote(field.column) for field in columns)
    assignments = ", ".join(
        f"{quote(field.column)} = v.{quote(field.column)}" for field in columns[1:]
    )
    items = list(values.items())
    with connection.cursor() as cursor:
        for start in range(0, len(items), BATCH_SIZE):
            batch = items[start : start + BATCH_SIZE]
            parameters: list[object] = []
            for key, row in batch:
                parameters.append(meta.pk.get_db_prep_value(key, connection))
                for field, value in zip(columns[1:], row, strict=True):
                    parameters.append(field.get_db_prep_save(value, connection))
            # Names come from the model's metadata; every value is a parameter.
            statement = (
                f"UPDATE {quote(meta.db_table)} AS t SET {assignments} "  # noqa: S608
                f"FROM (VALUES {', '.join([placeholders] * len(batch))}) AS v({names}) "
                f"WHERE t.{quote(meta.pk.column)} = v.{quote(meta.pk.column)}"
            )
            cursor.execute(statement, parameters)
