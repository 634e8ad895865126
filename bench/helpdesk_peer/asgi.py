"""ASGI entry point of the django-helpdesk peer (run with the throwaway environment's uvicorn)."""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.helpdesk_peer.settings")
application = get_asgi_application()
