from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("issuers", "0004_audit_chain_existing_entries"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditentry",
            name="sequence",
            field=models.PositiveBigIntegerField(),
        ),
        migrations.AddConstraint(
            model_name="auditentry",
            constraint=models.UniqueConstraint(fields=("chain", "sequence"), name="one_entry_per_link"),
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(fields=["subject", "created_at"], name="audit_entry_subject"),
        ),
    ]
