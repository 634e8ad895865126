"""Ticket search: the stored search documents (writes) and the ranked, permission-filtered
search (reads).

PostgreSQL: full-text search over a stored ``tsvector`` per ticket (subject, message text) with a
GIN index, plus trigram matching of customer names and emails. SQLite: ``LIKE`` matching of the
same fields, ranked more simply (see README "Search").
"""
