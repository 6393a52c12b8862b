from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # The rate limits live in the cache; without Redis that is this table in the database. It
    # is there even while Redis is configured, so that the database can take over any time.
    call_command(
        "createcachetable",
        "edubadges_cache",
        database=schema_editor.connection.alias,
        verbosity=0,
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_institution_identity")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
