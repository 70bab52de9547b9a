"""No index on the messages' creation time alone (listings go by organisation), and, on
PostgreSQL, room left in each page so that the claim — which sets only the lease columns,
none of them indexed — is a HOT update: a new row version in the same page and no new
entry in any index, instead of a copy with an entry in all of them.

The index is dropped by name rather than by an AlterField, which would rebuild the whole
table on SQLite."""

from typing import Any

from django.db import migrations, models

FILLFACTOR = 70
CREATED_AT_INDEX = "outbox_messages_created_at_ef157a13"


def drop_created_at_index(apps: Any, schema_editor: Any) -> None:
    schema_editor.execute(f'DROP INDEX IF EXISTS "{CREATED_AT_INDEX}"')


def restore_created_at_index(apps: Any, schema_editor: Any) -> None:
    schema_editor.execute(f'CREATE INDEX "{CREATED_AT_INDEX}" ON outbox_messages (created_at)')


def leave_room_for_hot_updates(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE outbox_messages SET (fillfactor = {FILLFACTOR})")


def fill_pages(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE outbox_messages RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0002_hot_path_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="message",
                    name="created_at",
                    field=models.DateTimeField(auto_now_add=True),
                ),
            ],
            database_operations=[
                migrations.RunPython(drop_created_at_index, restore_created_at_index)
            ],
        ),
        migrations.RunPython(leave_room_for_hot_updates, fill_pages),
    ]
