"""The correlation id's index without PostgreSQL's second `varchar_pattern_ops` copy.

`db_index=True` on a CharField makes Django build two indexes on PostgreSQL, the second for
LIKE, which nothing here uses: every log row paid for both. The state moves the index to
`Meta.indexes`; the database only drops the old indexes and builds the new one — an
AlterField would rebuild the whole table on SQLite (and lose its append-only triggers).
"""

from django.db import migrations, models

OLD_INDEXES = (
    "integration_logs_correlation_id_2c50fbd4",
    "integration_logs_correlation_id_2c50fbd4_like",
)


def drop_old_indexes(apps, schema_editor):
    for name in OLD_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def restore_old_indexes(apps, schema_editor):
    schema_editor.execute(f'CREATE INDEX "{OLD_INDEXES[0]}" ON integration_logs (correlation_id)')
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX "{OLD_INDEXES[1]}" ON integration_logs '
            "(correlation_id varchar_pattern_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("integration_logs", "0003_hot_path_indexes"),
        ("tenancy", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="integrationlog",
                    name="correlation_id",
                    field=models.CharField(blank=True, max_length=64),
                ),
            ],
            database_operations=[migrations.RunPython(drop_old_indexes, restore_old_indexes)],
        ),
        migrations.AddIndex(
            model_name="integrationlog",
            index=models.Index(fields=["correlation_id"], name="ilog_correlation"),
        ),
    ]
