from django.db import migrations


def copy_into_the_trail(apps, schema_editor):
    """Privacy events become entries of the one audit trail (``issuers.AuditEntry``)."""
    old = apps.get_model("privacy", "PrivacyAuditEntry")
    entry_model = apps.get_model("issuers", "AuditEntry")
    entries = []
    for event in old.objects.select_related("statement").order_by("created_at", "pk"):
        data = dict(event.data or {})
        if event.statement_id is not None:
            data.setdefault("version", event.statement.version)
        entries.append(
            entry_model(
                institution_id=event.institution_id,
                actor_id=event.actor_id,
                subject_id=event.subject_id,
                action=event.action,
                object_type="privacy.PrivacyStatement" if event.statement_id else "",
                object_id=str(event.statement_id or ""),
                badge_type=event.badge_type,
                data=data,
                created_at=event.created_at,
            )
        )
    entry_model.objects.bulk_create(entries, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("issuers", "0003_audit_chain_fields"),
        ("privacy", "0002_consent_objection_export_audit"),
    ]

    operations = [
        migrations.RunPython(copy_into_the_trail, migrations.RunPython.noop),
        migrations.DeleteModel(name="PrivacyAuditEntry"),
    ]
