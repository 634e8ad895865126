from django.urls import path

from . import pages, views

urlpatterns = [
    path("macros/", pages.macro_list, name="macro_list"),
    path("macros/<int:personal_macro_id>/", pages.macro_edit, name="macro_edit"),
    path("macros/<int:personal_macro_id>/delete/", pages.macro_delete_page, name="macro_delete"),
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
