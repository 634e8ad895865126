"""The v1 contract (shared/api-contract.md) against the generated OpenAPI schema and real answers."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator

from escalations.models import AuditEvent, Webhook
from tests import factories

ERRORS_EVERYWHERE = {"401", "403", "429"}

# path -> {method: success status}
OPERATIONS = {
    "/api/v1/teams/": {"get": "200", "post": "201"},
    "/api/v1/agents/": {"get": "200", "post": "201"},
    "/api/v1/queues/": {"get": "200", "post": "201"},
    "/api/v1/customers/": {"get": "200", "post": "201"},
    "/api/v1/customers/{id}/": {"get": "200", "patch": "200"},
    "/api/v1/tickets/": {"get": "200", "post": "201"},
    "/api/v1/tickets/{id}/": {"get": "200", "patch": "200"},
    "/api/v1/tickets/{ticket_id}/messages/": {"get": "200", "post": "201"},
    "/api/v1/tickets/{ticket_id}/notes/": {"get": "200", "post": "201"},
    "/api/v1/tickets/{ticket_id}/refunds/": {"post": "201"},
    "/api/v1/escalations/{id}/acknowledge/": {"post": "200"},
    "/api/v1/tickets/{id}/escalate/": {"post": "201"},
    "/api/v1/escalations/": {"get": "200"},
    "/api/v1/escalations/{id}/": {"get": "200"},
    "/api/v1/targets/": {"get": "200", "post": "201"},
    "/api/v1/targets/{id}/": {"get": "200", "patch": "200", "delete": "204"},
    "/api/v1/rules/": {"get": "200", "post": "201"},
    "/api/v1/rules/{id}/": {"get": "200", "patch": "200", "delete": "204"},
    "/api/v1/rules/{id}/backtest/": {"get": "200"},
    "/api/v1/calendars/": {"get": "200", "post": "201"},
    "/api/v1/sla-policies/": {"get": "200", "post": "201"},
    "/api/v1/sla-policies/{id}/": {"get": "200", "patch": "200"},
    "/api/v1/audit-events/": {"get": "200"},
    "/api/v1/webhooks/": {"get": "200", "post": "201"},
    "/api/v1/webhooks/{id}/": {"get": "200", "patch": "200", "delete": "204"},
    "/api/v1/webhooks/{id}/deliveries/": {"get": "200"},
}

# (path, method, parameter names the contract lists)
FILTERS = [
    (
        "/api/v1/tickets/",
        [
            "status",
            "priority",
            "queue",
            "assignee",
            "customer",
            "tag",
            "escalated",
            "sla_state",
            "created_after",
            "created_before",
            "ordering",
            "search",
            "page",
            "page_size",
        ],
    ),
    (
        "/api/v1/escalations/",
        ["ticket", "trigger", "rule", "from_agent", "to_agent", "created_after", "created_before"],
    ),
    ("/api/v1/audit-events/", ["ticket", "actor", "kind", "created_after", "created_before"]),
    ("/api/v1/rules/{id}/backtest/", ["days"]),
]

# read shapes: path of a GET that returns the object (list or detail) -> field -> JSON type
READS = {
    ("/api/v1/teams/", "get"): {"id": "integer", "name": "string", "lead": "integer"},
    ("/api/v1/agents/", "get"): {
        "id": "integer",
        "username": "string",
        "name": "string",
        "email": "string",
        "team": "integer",
        "role": "string",
    },
    ("/api/v1/queues/", "get"): {"name": "string", "team": "integer", "specialist": "boolean"},
    ("/api/v1/customers/{id}/", "get"): {
        "external_id": "string",
        "name": "string",
        "email": "string",
        "tier": "string",
    },
    ("/api/v1/tickets/{id}/", "get"): {
        "id": "integer",
        "subject": "string",
        "customer": "integer",
        "status": "string",
        "priority": "string",
        "queue": "integer",
        "assignee": "integer",
        "tags": "array",
        "sla": "object",
        "escalation_count": "integer",
        "created_at": "string",
        "updated_at": "string",
    },
    ("/api/v1/tickets/{ticket_id}/messages/", "get"): {
        "author_type": "string",
        "body": "string",
        "sentiment": "string",
    },
    ("/api/v1/tickets/{ticket_id}/notes/", "get"): {
        "body": "string",
        "kind": "string",
        "pinned": "boolean",
    },
    ("/api/v1/escalations/{id}/", "get"): {
        "ticket": "integer",
        "trigger": "string",
        "rule": "integer",
        "from_agent": "integer",
        "to_agent": "integer",
        "to_queue": "integer",
        "target": "integer",
        "evidence": None,
        "handoff": "object",
        "sla": None,
        "summary_note": "object",
        "created_at": "string",
    },
    ("/api/v1/targets/{id}/", "get"): {
        "name": "string",
        "kind": "string",
        "agent": "integer",
        "team": "integer",
        "queue": "integer",
    },
    ("/api/v1/rules/{id}/", "get"): {
        "name": "string",
        "enabled": "boolean",
        "order": "integer",
        "trigger": "object",
        "conditions": "array",
        "target": "integer",
    },
    ("/api/v1/calendars/", "get"): {
        "name": "string",
        "timezone": "string",
        "hours": "array",
        "holiday_country": "string",
        "holidays": "array",
    },
    ("/api/v1/sla-policies/{id}/", "get"): {
        "name": "string",
        "order": "integer",
        "conditions": "array",
        "calendar": "integer",
        "amber_percent": "integer",
        "targets": "array",
    },
    ("/api/v1/audit-events/", "get"): {
        "kind": "string",
        "actor": "integer",
        "ticket": "integer",
        "before": None,
        "after": None,
        "created_at": "string",
    },
}

ENUMS = {
    ("Ticket", "status"): {"new", "open", "pending", "on_hold", "solved", "closed"},
    ("Ticket", "priority"): {"low", "normal", "high", "urgent"},
    ("Customer", "tier"): {"free", "standard", "premium", "enterprise"},
    ("Agent", "role"): {"lead", "senior", "junior"},
    ("Message", "author_type"): {"customer", "agent"},
    ("Target", "kind"): {"agent", "team_lead", "queue", "slack"},
    ("SLA", "state"): {"green", "amber", "red", "paused", "met"},
    ("Escalation", "trigger"): {
        "sentiment_negative",
        "frt_amber",
        "sla_breach",
        "tier_upgrade",
        "refund_threshold",
        "escalate_tag",
        "manual",
        "unacknowledged",
    },
}
RULE_TRIGGER_KINDS = [
    "sentiment_negative",
    "frt_amber",
    "sla_breach",
    "tier_upgrade",
    "refund_threshold",
    "escalate_tag",
]


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def resolve(schema, node):
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    for combinator in ("allOf", "oneOf", "anyOf"):
        if combinator in node:
            return resolve(schema, node[combinator][0])
    return node


def response_object(schema, path, method):
    operation = schema["paths"][path][method]
    code = next(c for c in operation["responses"] if c.startswith("2"))
    body = resolve(schema, operation["responses"][code]["content"]["application/json"]["schema"])
    if "results" in body.get("properties", {}):
        body = resolve(schema, body["properties"]["results"]["items"])
    return body


@pytest.mark.parametrize(
    ("path", "method", "success"),
    [(p, m, c) for p, ops in OPERATIONS.items() for m, c in ops.items()],
)
def test_every_contract_operation_is_documented_with_its_status_codes(
    schema, path, method, success
):
    operation = schema["paths"][path][method]
    codes = set(operation["responses"])

    assert success in codes
    assert codes >= ERRORS_EVERYWHERE
    if method in ("post", "patch"):
        assert "400" in codes
    if "{" in path:
        assert "404" in codes
    if path.endswith(("/acknowledge/", "/escalate/")) or method == "delete":
        assert "409" in codes
    if method == "post":
        headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        assert "Idempotency-Key" in headers
        assert "422" in codes
    retry_after = operation["responses"]["429"]["headers"]["Retry-After"]["schema"]
    assert retry_after == {"type": "integer"}


@pytest.mark.parametrize(("path", "names"), FILTERS)
def test_contract_filters_are_documented(schema, path, names):
    documented = {
        p["name"] for p in schema["paths"][path]["get"].get("parameters", []) if p["in"] == "query"
    }

    assert documented >= set(names)


@pytest.mark.parametrize(("path", "method"), list(READS))
def test_contract_read_fields_have_their_types(schema, path, method):
    properties = response_object(schema, path, method)["properties"]

    for field, kind in READS[(path, method)].items():
        assert field in properties, field
        if kind is not None:
            prop = resolve(schema, properties[field])
            assert prop.get("type", "object") == kind, field


@pytest.mark.parametrize(("component", "field"), list(ENUMS))
def test_contract_enums(schema, component, field):
    prop = resolve(schema, schema["components"]["schemas"][component]["properties"][field])

    assert set(prop["enum"]) - {None, ""} == ENUMS[(component, field)]


def test_rule_trigger_is_one_object_schema_per_kind(schema):
    trigger = schema["components"]["schemas"]["RuleRequest"]["properties"]["trigger"]

    kinds = [option["properties"]["kind"]["enum"] for option in trigger["oneOf"]]

    assert kinds == [[kind] for kind in RULE_TRIGGER_KINDS]


def test_write_only_fields_never_appear_in_reads(schema):
    components = schema["components"]["schemas"]

    assert "password" not in components["Agent"]["properties"]
    assert "password" in components["AgentRequest"]["properties"]
    assert "slack_webhook_url" not in components["Target"]["properties"]
    assert "slack_webhook_url" in components["TargetRequest"]["properties"]
    assert "secret" not in components["Webhook"]["properties"]
    assert "secret" in components["WebhookCreated"]["properties"]


def test_money_is_a_decimal_string(schema):
    amount = schema["components"]["schemas"]["RefundRequest"]["properties"]["amount"]

    assert (amount["type"], amount["format"]) == ("string", "decimal")


def test_error_shapes_are_components(schema):
    components = schema["components"]["schemas"]

    assert components["Error"]["properties"]["detail"] == {"type": "string"}
    assert components["ValidationError"]["type"] == "object"
    assert "additionalProperties" in components["ValidationError"]


@pytest.mark.django_db
def test_real_answers_carry_the_contract_fields(client_for, admin_user, queue, customer):
    # Given one row of every resource
    ticket = factories.TicketFactory(queue=queue, customer=customer, assignee=admin_user)
    factories.MessageFactory(ticket=ticket)
    factories.NoteFactory(ticket=ticket)
    escalation = factories.EscalationFactory(ticket=ticket)
    target = factories.TargetFactory(team=queue.team)
    rule = factories.RuleFactory(team=queue.team, target=target)
    factories.CalendarFactory()
    policy = factories.SLAPolicyFactory()
    AuditEvent.objects.create(kind="rule.updated", actor_label="x")
    Webhook.objects.create(url="https://a.example.com", events=["sla.amber"], secret="s")
    ids = {"id": None, "ticket_id": ticket.pk}
    detail_ids = {
        "/api/v1/customers/{id}/": customer.pk,
        "/api/v1/tickets/{id}/": ticket.pk,
        "/api/v1/escalations/{id}/": escalation.pk,
        "/api/v1/targets/{id}/": target.pk,
        "/api/v1/rules/{id}/": rule.pk,
        "/api/v1/sla-policies/{id}/": policy.pk,
    }
    client = client_for(admin_user)

    for (path, _method), fields in READS.items():
        # When the resource is read
        url = path.format(**(ids | {"id": detail_ids.get(path)}))
        body = client.get(url).json()
        row = body["results"][0] if "results" in body else body

        # Then every contract field is present
        assert set(row) >= set(fields), path


def test_schema_generation_is_valid_and_warning_free(tmp_path):
    from django.core.management import call_command

    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    assert "/api/v1/tickets/{id}/escalate/" in target.read_text()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_docs_pages_load_their_assets_locally(client, path):
    page = client.get(path).content.decode()

    assert "/static/drf_spectacular_sidecar/" in page
    assert "cdn." not in page
    assert client.get("/api/schema/").status_code == 200


def test_the_report_documents_its_400(schema):
    responses = schema["paths"]["/api/v1/reports/escalation-rate/"]["get"]["responses"]

    assert "400" in responses


def test_opening_hours_are_documented_as_hh_mm(schema):
    hours = resolve(schema, schema["components"]["schemas"]["OpeningHours"])

    for field in ("start", "end"):
        assert hours["properties"][field]["type"] == "string"
        assert hours["properties"][field]["pattern"] == "^([01][0-9]|2[0-3]):[0-5][0-9]$"
        assert "format" not in hours["properties"][field]


@pytest.mark.parametrize(
    ("path", "method"),
    [(p, m) for p, ops in OPERATIONS.items() for m in ops if m in ("post", "patch")],
)
def test_writes_document_the_413_of_an_over_large_body(schema, path, method):
    assert "413" in schema["paths"][path][method]["responses"]
