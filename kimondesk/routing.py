"""WebSocket routes. Each app contributes its own list."""

from tickets.routing import websocket_urlpatterns as ticket_ws

websocket_urlpatterns = [*ticket_ws]
