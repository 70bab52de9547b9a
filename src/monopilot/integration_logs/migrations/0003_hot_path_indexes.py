"""Time-ordered ids and no org-only index on the log (written for every delivery).

On SQLite an AlterField rebuilds the table, and triggers do not survive a rebuild: the
append-only triggers of 0002 are installed again afterwards (PostgreSQL keeps its own).
"""

import django.db.models.deletion
from django.db import migrations, models

import monopilot.core.ids

_0002 = __import__(
    "monopilot.integration_logs.migrations.0002_append_only_triggers", fromlist=["SQLITE"]
)


def reinstall_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for sql in _0002.SQLITE_REVERSE + _0002.SQLITE:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("integration_logs", "0002_append_only_triggers"),
        ("tenancy", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="integrationlog",
            name="id",
            field=models.UUIDField(
                default=monopilot.core.ids.time_ordered_uuid,
                editable=False,
                primary_key=True,
                serialize=False,
            ),
        ),
        migrations.AlterField(
            model_name="integrationlog",
            name="org",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="tenancy.organization",
            ),
        ),
        migrations.RunPython(reinstall_sqlite_triggers, migrations.RunPython.noop),
    ]
