from django.urls import path

from . import views

urlpatterns = [
    path("api/tickets/", views.tickets, name="floor_tickets"),
    path("api/tickets/<int:ticket_id>/messages/", views.message_add, name="floor_message_add"),
    path("tickets/<int:ticket_id>/", views.ticket_page, name="floor_ticket_page"),
]
