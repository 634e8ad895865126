"""Constraints of the ticket domain hold in the database, not only in forms."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction

from escalations.audit import audit_record
from escalations.models import AuditEvent
from tests import factories
from tickets.models import (
    Agent,
    AuthorType,
    Customer,
    EventKind,
    Message,
    RefundRequest,
    Ticket,
    TicketEvent,
)

pytestmark = pytest.mark.django_db


# --- Choices are enforced by CHECK constraints ---------------------------------------------------
@pytest.mark.parametrize(
    ("model", "field", "bad_value"),
    [
        pytest.param(Customer, "tier", "platinum", id="customer-tier"),
        pytest.param(Ticket, "status", "archived", id="ticket-status"),
        pytest.param(Ticket, "priority", "critical", id="ticket-priority"),
        pytest.param(Agent, "role", "manager", id="agent-role"),
    ],
)
def test_value_outside_choices_is_refused_by_the_database(model, field, bad_value):
    # Given a row of each kind
    rows = {
        Customer: lambda: factories.CustomerFactory(),
        Ticket: lambda: factories.TicketFactory(),
        Agent: lambda: factories.AgentFactory(),
    }
    row = rows[model]()
    original = getattr(row, field)

    # When an update bypasses the model's validation, then the database refuses it
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=row.pk).update(**{field: bad_value})

    row.refresh_from_db()
    assert getattr(row, field) == original


def test_customer_created_with_a_bad_tier_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        Customer.objects.create(external_id="c-bad", name="Bad", tier="gold")

    assert Customer.objects.filter(external_id="c-bad").count() == 0


def test_customer_bad_tier_fails_model_validation_naming_the_field():
    customer = Customer(external_id="c-1", name="Acme", tier="gold")

    with pytest.raises(ValidationError) as excinfo:
        customer.full_clean()

    assert list(excinfo.value.message_dict) == ["tier"]


def test_agent_message_without_an_author_is_refused(customer):
    ticket = factories.TicketFactory(customer=customer)

    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(ticket=ticket, author_type=AuthorType.AGENT, body="Hi")

    assert Message.objects.filter(ticket=ticket).count() == 0


# --- Refund requests: positive amounts in ISO 4217 currencies ------------------------------------
@pytest.mark.parametrize(
    "amount",
    [pytest.param(Decimal("0.00"), id="zero"), pytest.param(Decimal("-25.00"), id="negative")],
)
def test_refund_without_a_positive_amount_is_refused_by_the_database(amount):
    ticket = factories.TicketFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        RefundRequest.objects.create(ticket=ticket, amount=amount, currency="USD")

    assert RefundRequest.objects.count() == 0


def test_refund_in_an_unknown_currency_is_refused_by_the_database():
    ticket = factories.TicketFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        RefundRequest.objects.create(ticket=ticket, amount=Decimal("10.00"), currency="XYZ")

    assert RefundRequest.objects.count() == 0


def test_refund_in_an_unknown_currency_fails_model_validation_naming_the_field():
    refund = RefundRequest(ticket=factories.TicketFactory(), amount=Decimal("10"), currency="XYZ")

    with pytest.raises(ValidationError) as excinfo:
        refund.full_clean()

    assert list(excinfo.value.message_dict) == ["currency"]


def test_refund_with_a_positive_amount_in_a_known_currency_is_stored():
    ticket = factories.TicketFactory()

    refund = RefundRequest.objects.create(ticket=ticket, amount=Decimal("0.01"), currency="EUR")

    refund.refresh_from_db()
    assert (refund.amount, refund.currency) == (Decimal("0.01"), "EUR")


# --- Append-only logs ---------------------------------------------------------------------------
@pytest.fixture
def ticket_event():
    return TicketEvent.objects.create(
        ticket=factories.TicketFactory(), kind=EventKind.NOTE_ADDED, data={"note": 1}
    )


@pytest.fixture
def audit_event():
    return audit_record(kind="rule.created", actor_label="admin", data={"rule": 1})


@pytest.mark.parametrize(
    "make",
    [pytest.param("ticket_event", id="ticket-event"), pytest.param("audit_event", id="audit")],
)
def test_append_only_row_refuses_save_and_delete(make, request):
    row = request.getfixturevalue(make)
    model = type(row)
    row.data = {"rewritten": True}

    with pytest.raises(TypeError, match="append-only"):
        row.save()
    with pytest.raises(TypeError, match="append-only"):
        row.delete()

    assert model.objects.get(pk=row.pk).data != {"rewritten": True}
    assert model.objects.filter(pk=row.pk).count() == 1


@pytest.mark.parametrize(
    "make",
    [pytest.param("ticket_event", id="ticket-event"), pytest.param("audit_event", id="audit")],
)
def test_append_only_queryset_refuses_update_and_delete(make, request):
    row = request.getfixturevalue(make)
    model = type(row)

    with pytest.raises(TypeError, match="append-only"):
        model.objects.filter(pk=row.pk).update(data={})
    with pytest.raises(TypeError, match="append-only"):
        model.objects.filter(pk=row.pk).delete()

    assert model.objects.get(pk=row.pk).data == row.data


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        pytest.param(
            "UPDATE escalations_auditevent SET kind = 'forged' WHERE id = %s", id="update"
        ),
        pytest.param("DELETE FROM escalations_auditevent WHERE id = %s", id="delete"),
    ],
)
def test_audit_trigger_refuses_raw_sql_changes(audit_event, sql):
    # Given an audit row, when raw SQL bypasses the ORM, then the database trigger refuses it
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [audit_event.pk])

    stored = AuditEvent.objects.get(pk=audit_event.pk)
    assert stored.kind == "rule.created"
