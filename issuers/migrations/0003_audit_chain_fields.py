import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """Fields of the chained audit trail; ``0004`` chains the entries already written."""

    dependencies = [
        ("issuers", "0002_invitation_labels"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditChain",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(max_length=32, unique=True)),
                ("length", models.PositiveBigIntegerField(default=0)),
                ("last_hash", models.CharField(blank=True, max_length=64)),
            ],
            options={"verbose_name": "audit chain", "verbose_name_plural": "audit chains"},
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="actor",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="subject",
            field=models.ForeignKey(blank=True, help_text="The person the entry is about (a student's consent, export or erasure).", null=True, on_delete=django.db.models.deletion.PROTECT, related_name="audit_entries_about", to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="badge_type",
            field=models.CharField(blank=True, choices=[("digital_education", "Edubadge for digital education"), ("microcredential", "Microcredential"), ("extracurricular", "Certificate for extra-curricular activities")], max_length=32),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="object_type",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="object_id",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="chain",
            field=models.CharField(default="", max_length=32),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditentry",
            name="sequence",
            field=models.PositiveBigIntegerField(null=True),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="previous_hash",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="personal_salt",
            field=models.CharField(blank=True, max_length=32),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="personal_digest",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditentry",
            name="entry_hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
    ]
