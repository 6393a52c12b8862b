from django.db import migrations


def move_into_the_outbox(apps, schema_editor):
    """The badge emails join every other email in the outbox (``notifications``)."""
    old = apps.get_model("badges", "Notification")
    new = apps.get_model("notifications", "Notification")
    content_type = apps.get_model("contenttypes", "ContentType")
    types = {
        name: content_type.objects.get_or_create(app_label="badges", model=name)[0]
        for name in ("award", "assertion", "enrollment")
    }
    moved = []
    for row in old.objects.order_by("pk").iterator(chunk_size=2000):
        if row.enrollment_id:
            target_type, target_id = types["enrollment"], row.enrollment_id
        elif row.assertion_id:
            target_type, target_id = types["assertion"], row.assertion_id
        else:
            target_type, target_id = types["award"], row.award_id
        moved.append(
            new(
                key=row.key,
                kind=row.kind,
                status=row.status,
                target_type=target_type,
                target_id=target_id,
                language=row.language,
                attempts=row.attempts,
                last_error=row.last_error,
                created_at=row.created_at,
                updated_at=row.updated_at,
                sent_at=row.sent_at,
            )
        )
        if len(moved) >= 2000:
            new.objects.bulk_create(moved)
            moved = []
    new.objects.bulk_create(moved)


class Migration(migrations.Migration):
    dependencies = [
        ("badges", "0004_bitstring_status_lists"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(move_into_the_outbox, migrations.RunPython.noop),
        migrations.DeleteModel(name="Notification"),
    ]
