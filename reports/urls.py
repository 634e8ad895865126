from django.urls import path

from . import views
from .decisions import views as decision_views

app_name = "reports"

urlpatterns = [
    path("", views.report_overview, name="overview"),
    path("rules/", views.report_rules, name="rules"),
    path("macros/", views.report_macros, name="macros"),
    path("rules/examples/", decision_views.report_rule_examples, name="rule_examples"),
    path("export/<slug:table>.csv", views.report_export, name="export"),
    path("agents/<int:agent_id>/", views.report_agent, name="agent"),
    path("agents/<int:agent_id>/trend.csv", views.report_agent_export, name="agent_export"),
]
