"""PostgreSQL refuses UPDATE and DELETE of audit events (a trigger): the trail is append-only
for the application's database role, whatever code runs. (SQLite, the demo: no trigger.)

TRUNCATE is not refused, so that the test suite can empty the tables between tests; in
production the application's role should not hold TRUNCATE on this table.
"""

from typing import Any

from django.db import migrations

CREATE = [
    """CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN
         RAISE EXCEPTION 'the audit trail is append-only: % of an audit event refused', TG_OP;
       END $$""",
    """CREATE TRIGGER audit_event_append_only
       BEFORE UPDATE OR DELETE ON audit_auditevent
       FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()""",
]
DROP = [
    "DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent",
    "DROP FUNCTION IF EXISTS audit_event_append_only()",
]


def _run(statements: list[str]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
