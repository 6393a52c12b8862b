import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('badges', '0007_endorsement'),
    ]

    operations = [
        migrations.CreateModel(
            name='AssertionDocuments',
            fields=[
                ('assertion', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='documents', serialize=False, to='badges.assertion')),
                ('ob2_assertion', models.JSONField(blank=True, null=True)),
                ('ob2_jws', models.TextField(blank=True)),
                ('ob3_credential', models.JSONField(blank=True, null=True)),
                ('ob3_jwt', models.TextField(blank=True)),
                ('baked_png', models.BinaryField(blank=True, null=True)),
                ('baked_svg', models.BinaryField(blank=True, null=True)),
                ('baked_svg_credential', models.BinaryField(blank=True, null=True)),
                ('ob2_body', models.BinaryField(blank=True, null=True)),
                ('ob2_etag', models.CharField(blank=True, max_length=80)),
                ('ob3_body', models.BinaryField(blank=True, null=True)),
                ('ob3_etag', models.CharField(blank=True, max_length=80)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'verbose_name': 'signed documents',
                'verbose_name_plural': 'signed documents',
            },
        ),
    ]
