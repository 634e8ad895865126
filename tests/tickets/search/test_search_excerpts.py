"""Search excerpts: which message a listed ticket shows, and the words marked in it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from tests import factories
from tickets import services
from tickets.models import AuthorType, Message
from tickets.search.excerpts import (
    SEARCH_EXCERPT_CHARS_BEFORE,
    SEARCH_EXCERPT_MAX_CHARS,
    ExcerptPart,
    excerpt_build,
    search_excerpts,
)
from tickets.search.selectors import search_query_parse


def _ticket(queue, *, subject="Question", body="Hello, I have a question."):
    customer = factories.CustomerFactory(name="Ines Vogt", email="ines@example.com")
    return services.ticket_create(subject=subject, customer=customer, body=body, queue=queue)


def _say(ticket, body, *, author=None):
    author_type = AuthorType.AGENT if author else AuthorType.CUSTOMER
    return services.message_add(ticket=ticket, author_type=author_type, body=body, author=author)


def _marked(excerpt):
    return [part.text for part in excerpt.parts if part.matched]


def _shown(excerpt):
    return "".join(part.text for part in excerpt.parts)


@pytest.mark.django_db
def test_the_newest_message_holding_every_word_is_shown(junior, queue):
    ticket = _ticket(queue)
    _say(ticket, "The modem blinks red.")
    both = _say(ticket, "Modem blinks red again and the router too.")
    _say(ticket, "The router is fine now.")

    excerpt = search_excerpts(ticket_ids=[ticket.pk], query="modem router")[ticket.pk]

    assert excerpt.message_id == both.pk
    assert excerpt.author == "Customer"
    assert _marked(excerpt) == ["Modem", "router"]
    assert _shown(excerpt) == "Modem blinks red again and the router too."
    assert (excerpt.cut_before, excerpt.cut_after) == (False, False)


@pytest.mark.django_db
def test_without_one_message_holding_every_word_the_newest_holding_one_is_shown(junior, queue):
    ticket = _ticket(queue, subject="Modem trouble")
    _say(ticket, "It blinks red.")
    newest = _say(ticket, "Still blinking red, and the modem is warm.", author=junior)

    excerpt = search_excerpts(ticket_ids=[ticket.pk], query="modem trouble")[ticket.pk]

    assert excerpt.message_id == newest.pk
    assert excerpt.author == str(junior)
    assert _marked(excerpt) == ["modem"]


@pytest.mark.django_db
def test_a_ticket_matched_without_its_messages_has_no_excerpt(junior, queue):
    by_subject = _ticket(queue, subject="Modem trouble", body="It blinks red.")
    by_message = _ticket(queue, body="The modem blinks red.")

    excerpts = search_excerpts(ticket_ids=[by_subject.pk, by_message.pk], query="modem")

    assert set(excerpts) == {by_message.pk}


@pytest.mark.django_db
def test_no_ticket_or_no_word_asks_nothing(junior, queue, django_assert_num_queries):
    ticket = _ticket(queue)
    with django_assert_num_queries(0):
        assert search_excerpts(ticket_ids=[], query="hello") == {}
        assert search_excerpts(ticket_ids=[ticket.pk], query="  ##  ") == {}


@pytest.mark.django_db
def test_excerpts_of_many_tickets_take_one_query(junior, queue, django_assert_num_queries):
    tickets = [_ticket(queue) for n in range(5)]
    for number, ticket in enumerate(tickets):
        _say(ticket, f"Modem number {number} was reset.", author=junior)

    with django_assert_num_queries(1):
        excerpts = search_excerpts(ticket_ids=[t.pk for t in tickets], query="modem")
        authors = {excerpt.author for excerpt in excerpts.values()}

    assert set(excerpts) == {t.pk for t in tickets}
    assert authors == {str(junior)}


@pytest.mark.django_db
def test_the_newest_is_by_time_then_by_id(junior, queue):
    ticket = _ticket(queue)
    later = _say(ticket, "Modem one.")
    earlier = _say(ticket, "Modem two.")
    # Imported history: the message written first (lower id) is the newer one.
    Message.objects.filter(pk=earlier.pk).update(created_at=later.created_at - timedelta(hours=1))
    assert search_excerpts(ticket_ids=[ticket.pk], query="modem")[ticket.pk].message_id == later.pk

    # The same moment: the later written one.
    same = _say(ticket, "Modem three.")
    Message.objects.filter(pk=same.pk).update(created_at=later.created_at)
    assert search_excerpts(ticket_ids=[ticket.pk], query="modem")[ticket.pk].message_id == same.pk


def _build(body, query):
    message = factories.MessageFactory.build(body=body, author_type=AuthorType.CUSTOMER)
    return excerpt_build(message=message, words=search_query_parse(query=query).words)


def test_the_parts_are_exactly_the_text_split_at_the_marked_words():
    excerpt = _build("invoice copy of the invoice", "invoice")

    assert excerpt.parts == (
        ExcerptPart("invoice", matched=True),
        ExcerptPart(" copy of the ", matched=False),
        ExcerptPart("invoice", matched=True),
    )
    assert _build("Send the invoice copy", "invoice").parts == (
        ExcerptPart("Send the ", matched=False),
        ExcerptPart("invoice", matched=True),
        ExcerptPart(" copy", matched=False),
    )


def test_the_excerpt_starts_after_the_word_the_cut_falls_in():
    # The cut falls one character into the text, inside its first word.
    before = "Z " + "y" * 58 + " "
    excerpt = _build(before + "invoice", "invoice")

    assert (_shown(excerpt), excerpt.cut_before) == ("y" * 58 + " invoice", True)


def test_without_a_space_before_the_match_the_excerpt_starts_at_the_match():
    # No word edge between the cut and the match: it starts at the match, never after it.
    excerpt = _build("y " + "x" * 69 + "-invoice and more", "invoice")

    assert (_shown(excerpt), excerpt.cut_before, excerpt.cut_after) == (
        "invoice and more",
        True,
        False,
    )


def test_the_excerpt_ends_at_the_last_whole_word_that_fits():
    text = "invoice " + "abcd " * 60
    excerpt = _build(text, "invoice")

    shown = _shown(excerpt)
    assert shown == text[:197]
    assert shown.endswith(" abcd")
    assert excerpt.cut_after


def test_without_a_space_after_the_match_the_excerpt_is_cut_at_its_bound():
    text = "Hi invoice-" + "z" * 300
    excerpt = _build(text, "invoice")

    assert _shown(excerpt) == text[:SEARCH_EXCERPT_MAX_CHARS]
    assert excerpt.cut_after


def test_a_long_message_is_cut_around_its_first_match_at_word_edges():
    before = " ".join(f"word{n}" for n in range(40))
    after = " ".join(f"tail{n}" for n in range(60))
    excerpt = _build(f"{before} the invoice is wrong {after}", "invoice")

    shown = _shown(excerpt)
    assert (excerpt.cut_before, excerpt.cut_after) == (True, True)
    assert len(shown) <= SEARCH_EXCERPT_MAX_CHARS
    assert shown.index("invoice") <= SEARCH_EXCERPT_CHARS_BEFORE
    # Whole words at both ends.
    assert shown.split()[0] in before.split()
    assert shown.split()[-1] in after.split()


def test_line_breaks_are_shown_as_spaces_and_every_occurrence_is_marked():
    excerpt = _build("Refund please.\n\nThe REFUND was promised;\trefunds take long.", "refund")

    assert _shown(excerpt) == "Refund please. The REFUND was promised; refunds take long."
    # Case as written; a word that begins with the query word counts (the search's prefix).
    assert _marked(excerpt) == ["Refund", "REFUND", "refund"]


def test_a_longer_query_word_is_marked_whole():
    excerpt = _build("Refunds and refund policy", "refund refunds")

    assert _marked(excerpt) == ["Refunds", "refund"]


def test_a_word_inside_another_is_marked_when_it_begins_none():
    # SQLite's LIKE matches inside words: the mark then goes where it matched.
    excerpt = _build("The misconfiguration persists", "config")

    assert _marked(excerpt) == ["config"]


def test_a_message_without_the_words_has_no_excerpt():
    assert _build("Nothing here", "modem") is None


def test_markup_in_a_message_is_text():
    excerpt = _build("<b>modem</b> & <script>x</script>", "modem")

    assert _shown(excerpt) == "<b>modem</b> & <script>x</script>"


@pytest.mark.django_db
def test_the_search_page_shows_the_excerpt_escaped_with_its_words_marked(client, junior, queue):
    ticket = _ticket(queue, body="Our modem blinks <red> & amber.")
    message = ticket.messages.get()
    client.force_login(junior)

    html = client.get(reverse("ticket_search"), {"q": "modem blinks"}).content.decode()

    assert f'href="/tickets/{ticket.pk}/#message-{message.pk}">Customer · <time' in html
    assert "Our <mark>modem</mark> <mark>blinks</mark> &lt;red&gt; &amp; amber.</p>" in html


@pytest.mark.django_db
def test_queue_pages_show_no_excerpt(client, junior, queue):
    _ticket(queue, body="Our modem blinks red.")
    client.force_login(junior)

    html = client.get(reverse("queue_team")).content.decode()

    assert "search-excerpt" not in html


@pytest.mark.django_db
def test_the_search_page_shows_no_text_of_a_ticket_the_agent_may_not_see(client, junior, queue):
    other_team_queue = factories.QueueFactory(team=factories.TeamFactory(name="Billing"))
    _ticket(other_team_queue, body="The modem password is hunter2.")
    seen = _ticket(queue, body="Our modem blinks red.")
    client.force_login(junior)

    response = client.get(reverse("ticket_search"), {"q": "modem"})

    assert [t.pk for t in response.context["tickets"]] == [seen.pk]
    html = response.content.decode()
    assert "blinks red" in html
    assert "hunter2" not in html
