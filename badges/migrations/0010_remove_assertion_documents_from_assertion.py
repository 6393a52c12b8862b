from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("badges", "0009_move_assertion_documents"),
    ]

    operations = [
        migrations.RemoveField(
            model_name='assertion',
            name='baked_png',
        ),
        migrations.RemoveField(
            model_name='assertion',
            name='baked_svg',
        ),
        migrations.RemoveField(
            model_name='assertion',
            name='baked_svg_credential',
        ),
        migrations.RemoveField(
            model_name='assertion',
            name='ob2_assertion',
        ),
        migrations.RemoveField(
            model_name='assertion',
            name='ob2_jws',
        ),
        migrations.RemoveField(
            model_name='assertion',
            name='ob3_credential',
        ),
        migrations.RemoveField(
            model_name='assertion',
            name='ob3_jwt',
        ),
    ]
