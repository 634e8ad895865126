"""Macros: named reply texts with placeholders and optional ticket actions, kept by a team (its
lead manages them) or by one agent, and the record of every use.

``models`` (registered with the app by ``tickets.models``), ``placeholders`` (pure rendering),
``selectors`` (who may see and use which macro, picker search, usage report), ``services``
(audited writes, applying a macro to a ticket), ``api``, ``admin``, ``views`` (the ticket
page's picker) and ``demo`` (macros for the demo data).
"""
