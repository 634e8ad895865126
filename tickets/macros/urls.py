from django.urls import path

from . import views

urlpatterns = [
    path("tickets/<int:ticket_id>/macros/", views.ticket_macros, name="ticket_macros"),
    path(
        "tickets/<int:ticket_id>/macros/<int:macro_id>/",
        views.ticket_macro_render,
        name="ticket_macro_render",
    ),
    path(
        "tickets/<int:ticket_id>/macros/reply/", views.ticket_macro_reply, name="ticket_macro_reply"
    ),
]
