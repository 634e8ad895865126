# The search documents of tickets whose subject or messages hold a "<": PostgreSQL's parser
# dropped what looked like an XML tag ("<ERR_TIMEOUT>"), so those words were never found. The
# documents are written again as tickets.search.documents writes them now (a "<" read as a
# space). PostgreSQL only: SQLite searches with LIKE.

from django.db import migrations

REBUILD = """
    UPDATE tickets_ticketsearchdocument d
    SET vector = setweight(to_tsvector('simple', replace(t.subject, '<', ' ')), 'A')
                 || setweight(to_tsvector('simple', replace(coalesce(m.body, ''), '<', ' ')), 'C'),
        indexed_chars = coalesce(length(m.body), 0)
    FROM tickets_ticket t
    LEFT JOIN LATERAL (
        SELECT left(string_agg(body, ' ' ORDER BY created_at, id), 100000) AS body
        FROM tickets_message WHERE ticket_id = t.id
    ) m ON true
    WHERE d.ticket_id = t.id
      AND (
        strpos(t.subject, '<') > 0
        OR EXISTS (
            SELECT 1 FROM tickets_message x WHERE x.ticket_id = t.id AND strpos(x.body, '<') > 0
        )
      )
"""


def rebuild_documents_with_angle_brackets(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(REBUILD)


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0009_merge_0008_macros_0008_note_question"),
    ]

    operations = [
        migrations.RunPython(rebuild_documents_with_angle_brackets, migrations.RunPython.noop),
    ]
