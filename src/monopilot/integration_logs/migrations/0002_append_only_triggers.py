"""Database-level append-only guard: UPDATE always refused, DELETE only while the purge gate
is open (the purge opens and closes it inside its own transaction)."""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER integration_logs_no_update BEFORE UPDATE ON integration_logs
       BEGIN SELECT RAISE(ABORT, 'Updates not allowed on integration_logs'); END;""",
    """CREATE TRIGGER integration_logs_no_delete BEFORE DELETE ON integration_logs
       WHEN (SELECT is_open FROM integration_log_purge_gate WHERE id = 1) = 0
       BEGIN SELECT RAISE(ABORT, 'Deletes not allowed on integration_logs'); END;""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS integration_logs_no_update;",
    "DROP TRIGGER IF EXISTS integration_logs_no_delete;",
]

POSTGRES = [
    """CREATE OR REPLACE FUNCTION integration_logs_guard() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'UPDATE' THEN
           RAISE EXCEPTION 'Updates not allowed on integration_logs';
         END IF;
         IF (SELECT is_open FROM integration_log_purge_gate WHERE id = 1) = false THEN
           RAISE EXCEPTION 'Deletes not allowed on integration_logs';
         END IF;
         RETURN OLD;
       END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER integration_logs_append_only BEFORE UPDATE OR DELETE ON integration_logs
       FOR EACH ROW EXECUTE FUNCTION integration_logs_guard();""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS integration_logs_append_only ON integration_logs;",
    "DROP FUNCTION IF EXISTS integration_logs_guard();",
]


def forwards(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for sql in statements:
        schema_editor.execute(sql)
    apps.get_model("integration_logs", "PurgeGate").objects.using(
        schema_editor.connection.alias
    ).get_or_create(id=1, defaults={"is_open": False})


def backwards(apps, schema_editor):
    statements = (
        POSTGRES_REVERSE if schema_editor.connection.vendor == "postgresql" else SQLITE_REVERSE
    )
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("integration_logs", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
