"""ASGI entry point: HTTP through Django, WebSockets through Channels (``/ws/...``)."""

import os

import django

# Development by default (``make run``); production processes set DJANGO_SETTINGS_MODULE to
# ``kimondesk.settings.production`` explicitly.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kimondesk.settings.dev")
# As ``django.core.asgi.get_asgi_application``, with the one-hand-off handler.
django.setup(set_prefix=False)

from kimondesk.asgi_handler import SyncChainASGIHandler  # noqa: E402

django_asgi_app = SyncChainASGIHandler()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from kimondesk.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
