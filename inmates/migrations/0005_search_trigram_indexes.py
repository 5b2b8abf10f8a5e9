"""Trigram indexes for the inmate search on PostgreSQL.

The search is `icontains` (UPPER(col) LIKE UPPER('%term%')): a b-tree cannot serve it, so a country-wide
search read every row. A GIN trigram index on the same UPPER expression serves it. Other databases (SQLite in
development) have no pg_trgm: the migration does nothing there.
"""

from django.db import migrations

COLUMNS = ("first_name", "last_name", "registration_number")


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS inmate_{column}_trgm ON inmates_inmate "
            f"USING gin (upper({column}::text) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS inmate_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("inmates", "0004_inmate_anonymised_on")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
