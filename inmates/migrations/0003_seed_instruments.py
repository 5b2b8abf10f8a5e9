"""The shipped assessment instruments, so every database has them (see inmates.instruments)."""

from django.db import migrations


def seed(apps, schema_editor):
    from inmates.instruments import instruments_seed

    instruments_seed(apps.get_model)


class Migration(migrations.Migration):
    dependencies = [("inmates", "0002_casework")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
