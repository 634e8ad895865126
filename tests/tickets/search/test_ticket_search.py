"""Ticket search: what matches, in which order, for whom, and at what cost."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kimondesk.bounds import MESSAGE_BODY_MAX_CHARS
from tests import factories
from tests.conftest import ON_POSTGRES
from tickets import services
from tickets.models import AuthorType, TicketSearchDocument
from tickets.search.documents import SEARCH_DOCUMENT_MAX_CHARS
from tickets.search.selectors import (
    SEARCH_QUERY_MAX_CHARS,
    SearchQueryInvalid,
    search_query_parse,
    ticket_search_ranked_ids,
    tickets_search,
)


@pytest.fixture
def other_queue(db):
    return factories.QueueFactory(name="Elsewhere", team=factories.TeamFactory(name="Billing"))


def _ticket(*, subject, queue, body="Hello, I have a question.", customer=None):
    customer = customer or factories.CustomerFactory(name="Plain Customer", email="plain@x.test")
    return services.ticket_create(subject=subject, customer=customer, body=body, queue=queue)


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["{pk}", "#{pk}"], ids=["digits", "hash"])
def test_ticket_number_finds_the_ticket_first(junior, queue, typed):
    ticket = _ticket(subject="Printer on fire", queue=queue)
    _ticket(subject="Unrelated", queue=queue)

    assert ticket_search_ranked_ids(agent=junior, query=typed.format(pk=ticket.pk)) == [ticket.pk]


@pytest.mark.django_db
def test_subject_words_match_and_the_last_word_as_a_prefix(junior, queue):
    refund = _ticket(subject="Refund for order 1182", queue=queue)
    _ticket(subject="Password reset", queue=queue)

    assert ticket_search_ranked_ids(agent=junior, query="refu") == [refund.pk]
    assert ticket_search_ranked_ids(agent=junior, query="refund order") == [refund.pk]
    assert ticket_search_ranked_ids(agent=junior, query="refund password") == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "typed",
    ["maria.keller@example.com", "CRM-0042", "Maria Keller", "keller"],
    ids=["email", "external-id", "name", "surname"],
)
def test_customer_email_external_id_and_name_find_their_tickets(junior, queue, typed):
    maria = factories.CustomerFactory(
        name="Maria Keller", email="maria.keller@example.com", external_id="CRM-0042"
    )
    hers = _ticket(subject="Invoice question", queue=queue, customer=maria)
    _ticket(subject="Invoice question", queue=queue)

    assert ticket_search_ranked_ids(agent=junior, query=typed) == [hers.pk]


@pytest.mark.django_db
def test_message_text_added_later_is_found(junior, queue):
    ticket = _ticket(subject="Login trouble", queue=queue)
    assert ticket_search_ranked_ids(agent=junior, query="yubikey") == []

    services.message_add(
        ticket=ticket, author_type=AuthorType.CUSTOMER, body="My YubiKey stopped working."
    )

    assert ticket_search_ranked_ids(agent=junior, query="yubikey") == [ticket.pk]


@pytest.mark.django_db
def test_other_teams_tickets_are_not_found_but_an_admin_finds_both(
    junior, admin_user, queue, other_queue
):
    ours = _ticket(subject="Chargeback dispute", queue=queue)
    theirs = _ticket(subject="Chargeback dispute", queue=other_queue)

    assert ticket_search_ranked_ids(agent=junior, query="chargeback") == [ours.pk]
    assert ticket_search_ranked_ids(agent=junior, query=f"#{theirs.pk}") == []
    assert ticket_search_ranked_ids(agent=admin_user, query="chargeback") == [theirs.pk, ours.pk]


@pytest.mark.django_db
def test_a_subject_match_ranks_above_a_mention_in_the_conversation(junior, queue):
    in_subject = _ticket(subject="Warranty claim", queue=queue)
    in_message = _ticket(
        subject="Broken screen", queue=queue, body="Is this covered by the warranty?"
    )

    assert ticket_search_ranked_ids(agent=junior, query="warranty") == [
        in_subject.pk,
        in_message.pk,
    ]


@pytest.mark.django_db
def test_the_customer_named_ranks_above_tickets_that_mention_the_name(junior, queue):
    tobias = factories.CustomerFactory(name="Tobias Brandt", email="tb@example.com")
    mentions = _ticket(subject="Colleague", queue=queue, body="Tobias from our office said hi")
    his = _ticket(subject="Upgrade", queue=queue, customer=tobias)

    assert ticket_search_ranked_ids(agent=junior, query="Tobias") == [his.pk, mentions.pk]


@pytest.mark.django_db
def test_tickets_search_keeps_the_rank_order_and_the_given_rows(junior, queue):
    first = _ticket(subject="Shipping delay", queue=queue)
    second = _ticket(subject="Delay", queue=queue, body="shipping is late")

    rows = tickets_search(agent=junior, query="shipping")

    assert [t.pk for t in rows] == [first.pk, second.pk]
    assert [t.search_position for t in rows] == [1, 2]


def test_a_query_longer_than_the_bound_is_refused():
    with pytest.raises(SearchQueryInvalid, match=f"at most {SEARCH_QUERY_MAX_CHARS} characters"):
        search_query_parse(query="x" * (SEARCH_QUERY_MAX_CHARS + 1))


def test_punctuation_is_not_a_word():
    assert search_query_parse(query=" ' & | !  ").words == ()
    assert search_query_parse(query="Can't log-in!").words == ("can", "t", "log-in")


@pytest.mark.django_db
def test_a_query_of_punctuation_finds_nothing_and_asks_nothing(
    junior, queue, django_assert_num_queries
):
    _ticket(subject="Anything", queue=queue)

    with django_assert_num_queries(0):
        assert ticket_search_ranked_ids(agent=junior, query="&|!") == []


@pytest.mark.django_db
@pytest.mark.parametrize("tickets", [2, 20], ids=["few", "many"])
def test_search_asks_the_same_queries_however_many_tickets_match(junior, queue, tickets):
    customer = factories.CustomerFactory(name="Rosa Diaz", email="rosa@example.com")
    for number in range(tickets):
        _ticket(subject=f"Rosa question {number}", queue=queue, customer=customer)

    with CaptureQueriesContext(connection) as queries:
        ids = ticket_search_ranked_ids(agent=junior, query="rosa")

    assert len(ids) == tickets
    # PostgreSQL: the newest ticket id (the bands of the ranking window), text matches, matching
    # customers, their tickets. SQLite: one LIKE query.
    assert len(queries) == (4 if ON_POSTGRES else 1)


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_misspelt_customer_name_is_found_by_trigram(junior, queue):
    customer = factories.CustomerFactory(name="Katharina Schumacher", email="ks@example.com")
    hers = _ticket(subject="Contract", queue=queue, customer=customer)

    assert ticket_search_ranked_ids(agent=junior, query="Katarina Schuhmacher") == [hers.pk]


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_document_indexes_a_bounded_amount_of_message_text(junior, queue):
    ticket = _ticket(subject="Long thread", queue=queue, body="first " * 10)
    # a long thread of messages at the body bound fills the document up to its own bound
    longest = "word " * (MESSAGE_BODY_MAX_CHARS // 5)
    for _ in range(SEARCH_DOCUMENT_MAX_CHARS // len(longest) + 1):
        services.message_add(ticket=ticket, author_type=AuthorType.CUSTOMER, body=longest)
    services.message_add(ticket=ticket, author_type=AuthorType.CUSTOMER, body="zebra crossing")

    document = TicketSearchDocument.objects.get(ticket=ticket)
    assert document.indexed_chars == SEARCH_DOCUMENT_MAX_CHARS
    assert ticket_search_ranked_ids(agent=junior, query="first") == [ticket.pk]
    assert ticket_search_ranked_ids(agent=junior, query="zebra") == []


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_bulk_loaded_ticket_gets_its_document_with_its_next_message(junior, queue):
    ticket = factories.TicketFactory(subject="Imported from the old desk", queue=queue)
    factories.MessageFactory(ticket=ticket, body="legacy gizmo")
    assert not TicketSearchDocument.objects.filter(ticket=ticket).exists()

    services.message_add(ticket=ticket, author_type=AuthorType.CUSTOMER, body="any news?")

    assert ticket_search_ranked_ids(agent=junior, query="gizmo news") == [ticket.pk]
    assert ticket_search_ranked_ids(agent=junior, query="imported") == [ticket.pk]


@pytest.mark.django_db
def test_sqlite_and_postgres_store_documents_only_where_they_are_searched(junior, queue):
    ticket = _ticket(subject="Stored?", queue=queue)

    assert TicketSearchDocument.objects.filter(ticket=ticket).count() == (1 if ON_POSTGRES else 0)


@pytest.mark.postgres
@pytest.mark.django_db
def test_only_the_newest_visible_matches_are_ranked_across_the_id_bands(
    monkeypatch, junior, queue, other_queue
):
    """The ranking window is the newest matches the agent may see, whichever band of ticket ids
    holds them: here the window (4) is filled from three bands of 3 ids each."""
    from tickets.search import selectors

    monkeypatch.setattr(selectors, "SEARCH_RANK_WINDOW", 4)
    monkeypatch.setattr(selectors, "SEARCH_ID_BANDS", (3, 6))
    mine, theirs = [], []
    for number in range(12):
        if number % 3 == 2:
            theirs.append(_ticket(subject=f"Other team's falcon {number}", queue=other_queue))
        elif number in (9, 10):
            _ticket(subject=f"Parrot {number}", queue=queue)
        else:
            mine.append(_ticket(subject=f"Falcon question {number}", queue=queue))

    ids = ticket_search_ranked_ids(agent=junior, query="falcon")

    # The newest 4 of the junior's matches (numbers 7, 6, 4, 3), never the other team's.
    assert sorted(ids) == sorted(t.pk for t in mine[-4:])
    assert not set(ids) & {t.pk for t in theirs}


@pytest.mark.django_db
def test_words_in_angle_brackets_are_found(junior, queue):
    # PostgreSQL's parser reads "<...>" as an XML tag and drops it unless told otherwise.
    ticket = _ticket(subject="Sync <ERR_TIMEOUT> again", queue=queue, body="Hello")
    services.message_add(
        ticket=ticket, author_type=AuthorType.CUSTOMER, body="The log says <quota_exceeded>."
    )

    assert ticket_search_ranked_ids(agent=junior, query="err_timeout") == [ticket.pk]
    assert ticket_search_ranked_ids(agent=junior, query="quota_exceeded") == [ticket.pk]
