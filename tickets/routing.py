from django.urls import URLPattern, path

from . import consumers

websocket_urlpatterns: list[URLPattern] = [
    path("ws/tickets/<int:ticket_id>/", consumers.TicketConsumer.as_asgi()),
    path("ws/notifications/", consumers.NotificationConsumer.as_asgi()),
    path("ws/queues/", consumers.QueueConsumer.as_asgi()),
]
