from django.db import migrations


def chain_existing(apps, schema_editor):
    from issuers.audit import chain_build

    chain_build(apps.get_model("issuers", "AuditEntry"), apps.get_model("issuers", "AuditChain"))


class Migration(migrations.Migration):
    """Chain every entry written so far, oldest first, privacy events included."""

    dependencies = [
        ("issuers", "0003_audit_chain_fields"),
        ("privacy", "0003_privacy_audit_into_the_trail"),
    ]

    operations = [migrations.RunPython(chain_existing, migrations.RunPython.noop)]
