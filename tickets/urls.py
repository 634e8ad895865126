from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("queues/mine/", views.queue_mine, name="queue_mine"),
    path("queues/team/", views.queue_team, name="queue_team"),
    path("queues/escalated/", views.queue_escalated, name="queue_escalated"),
    path("views/", views.saved_view_create_page, name="saved_view_create"),
    path("views/<int:view_id>/delete/", views.saved_view_delete_page, name="saved_view_delete"),
    path("tickets/bulk/", views.tickets_bulk_update_page, name="tickets_bulk_update"),
    path("search/", views.ticket_search_page, name="ticket_search"),
    path("tickets/<int:ticket_id>/", views.ticket_detail, name="ticket_detail"),
    path("tickets/<int:ticket_id>/reply/", views.ticket_reply, name="ticket_reply"),
    path("tickets/<int:ticket_id>/notes/", views.ticket_note, name="ticket_note"),
    path("tickets/<int:ticket_id>/update/", views.ticket_controls, name="ticket_controls"),
    path("tickets/<int:ticket_id>/tags/", views.ticket_tags, name="ticket_tags"),
    path("tickets/<int:ticket_id>/refunds/", views.ticket_refund, name="ticket_refund"),
    path("tickets/<int:ticket_id>/escalate/", views.ticket_escalate, name="ticket_escalate"),
    path("tickets/<int:ticket_id>/live/", views.ticket_live, name="ticket_live"),
    path(
        "tickets/<int:ticket_id>/history/", views.ticket_history_lines, name="ticket_history_lines"
    ),
    path("", include("tickets.macros.urls")),
    path(
        "escalations/<int:escalation_id>/acknowledge/",
        views.escalation_acknowledge_page,
        name="escalation_acknowledge_page",
    ),
    path(
        "escalations/<int:escalation_id>/question/",
        views.escalation_question_page,
        name="escalation_question_page",
    ),
    path(
        "escalations/<int:escalation_id>/feedback/",
        views.escalation_feedback_page,
        name="escalation_feedback_page",
    ),
]
