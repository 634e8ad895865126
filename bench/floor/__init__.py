"""The floor of the side-by-side write benchmark (issue #18).

A minimal Django app on KimonDesk's own stack and tables: the same Django, database settings
(psycopg pool), PostgreSQL database and uvicorn server, but no middleware, no DRF and raw SQL, so
what a request costs here is what the stack itself costs. ``bench/write_side_by_side.py`` serves
it with ``uvicorn bench.floor.asgi:application`` next to KimonDesk.
"""
