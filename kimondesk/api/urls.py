"""``/api/v1/`` (the contract), ``/api/schema/`` (OpenAPI 3) and ``/api/docs/`` (Swagger UI,
served from the sidecar package: no CDN)."""

from typing import Any

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from escalations.api import views as escalation_views
from kimondesk.api.exceptions import api_not_found
from tickets.api import views as ticket_views
from tickets.macros import api as macro_views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("teams", ticket_views.TeamViewSet, basename="team")
router.register("agents", ticket_views.AgentViewSet, basename="agent")
router.register("queues", ticket_views.QueueViewSet, basename="queue")
router.register("customers", ticket_views.CustomerViewSet, basename="customer")
router.register("tickets", ticket_views.TicketViewSet, basename="ticket")
router.register("escalations", escalation_views.EscalationViewSet, basename="escalation")
router.register("targets", escalation_views.TargetViewSet, basename="target")
router.register("rules", escalation_views.RuleViewSet, basename="rule")
router.register("calendars", escalation_views.CalendarViewSet, basename="calendar")
router.register("sla-policies", escalation_views.SLAPolicyViewSet, basename="sla-policy")
router.register("audit-events", escalation_views.AuditEventViewSet, basename="audit-event")
router.register("webhooks", escalation_views.WebhookViewSet, basename="webhook")
router.register("exchange-rates", escalation_views.ExchangeRateViewSet, basename="exchange-rate")
router.register("macros", macro_views.MacroViewSet, basename="macro")

child_routes: dict[str, Any] = {"get": "list", "post": "create"}
v1 = [
    *router.urls,
    path(
        "tickets/<str:ticket_id>/messages/",
        ticket_views.MessageViewSet.as_view(child_routes),
        name="ticket-messages",
    ),
    path(
        "tickets/<str:ticket_id>/notes/",
        ticket_views.NoteViewSet.as_view(child_routes),
        name="ticket-notes",
    ),
    path(
        "tickets/<str:ticket_id>/refunds/",
        ticket_views.RefundRequestViewSet.as_view(child_routes),
        name="ticket-refunds",
    ),
]

urlpatterns = [
    path("v1/", include((v1, "api"), namespace="v1")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    # ``[\s\S]`` rather than ``.``: a path with a line break in it (``%0A``) is an unknown API
    # path too (and an inline ``(?s)`` flag would make the URLconf unreversible).
    re_path(r"^[\s\S]*$", api_not_found),
]
