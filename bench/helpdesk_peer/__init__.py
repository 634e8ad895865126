"""django-helpdesk 2.6.1 as the peer column of the side-by-side write benchmark (issue #18).

Runs only inside the throwaway environment ``bench/write_side_by_side.py`` makes under ``var/``
(django-helpdesk is not a KimonDesk dependency): its own settings, URLs and seed script, on its own
PostgreSQL database, served by uvicorn with the same Django, DRF, psycopg pool and server versions.
Nothing in KimonDesk imports this package.
"""
