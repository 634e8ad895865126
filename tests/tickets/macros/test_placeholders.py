"""Filling in macro placeholders: values, escaping in the preview, missing values, no re-expansion."""

from __future__ import annotations

import pytest

from tickets.macros.placeholders import (
    macro_text_render,
    placeholders_unknown,
    placeholders_used,
)

ALL_VALUES = {
    "customer_name": "Ada Lovelace",
    "ticket_number": "#42",
    "agent_name": "Tom Becker",
    "sla_due": "Tue 8 Dec, 14:30 CET",
    "refund_amount": "150.00 EUR",
}


def test_every_placeholder_is_filled_in_with_or_without_spaces():
    template = (
        "Hi {{customer_name}}, {{ ticket_number }} is with {{  agent_name }}; due "
        "{{ sla_due }}; refund {{refund_amount }}."
    )

    rendered = macro_text_render(template=template, values=ALL_VALUES)

    assert rendered.text == (
        "Hi Ada Lovelace, #42 is with Tom Becker; due Tue 8 Dec, 14:30 CET; refund 150.00 EUR."
    )
    assert rendered.missing == ()


def test_values_are_escaped_in_the_preview_and_kept_as_written_in_the_text():
    values = {**ALL_VALUES, "customer_name": '<img src=x onerror="alert(1)"> & Co'}
    template = "<b>Dear</b> {{ customer_name }}"

    rendered = macro_text_render(template=template, values=values)

    # The composer gets plain text (set as the textarea's value, autoescaped once sent).
    assert rendered.text == '<b>Dear</b> <img src=x onerror="alert(1)"> & Co'
    # The preview is HTML: the template's own text and the value are both escaped.
    assert str(rendered.preview_html) == (
        '&lt;b&gt;Dear&lt;/b&gt; <mark class="macro-value">&lt;img src=x '
        "onerror=&quot;alert(1)&quot;&gt; &amp; Co</mark>"
    )


def test_a_value_is_never_read_again_for_placeholders():
    values = {**ALL_VALUES, "customer_name": "{{ agent_name }}"}

    rendered = macro_text_render(template="Hi {{ customer_name }}", values=values)

    assert rendered.text == "Hi {{ agent_name }}"


@pytest.mark.parametrize("missing_value", [None, ""], ids=["none", "blank"])
def test_a_missing_value_leaves_a_visible_gap_and_is_named(missing_value):
    values = {**ALL_VALUES, "refund_amount": missing_value, "sla_due": missing_value}
    template = "Refund {{ refund_amount }} by {{ sla_due }}; again: {{ refund_amount }}."

    rendered = macro_text_render(template=template, values=values)

    assert rendered.text == "Refund [refund amount] by [SLA due time]; again: [refund amount]."
    assert rendered.missing == ("refund_amount", "sla_due")
    assert rendered.missing_labels == ["refund amount", "SLA due time"]
    assert str(rendered.preview_html) == (
        'Refund <mark class="macro-missing">[refund amount]</mark> by '
        '<mark class="macro-missing">[SLA due time]</mark>; again: '
        '<mark class="macro-missing">[refund amount]</mark>.'
    )


def test_unknown_placeholders_are_named_and_left_as_written():
    template = "Hi {{ customer_name }} {{ customer_phone }} {{ secret }} {{ customer_phone }}"

    assert placeholders_unknown(template) == ["customer_phone", "secret"]
    assert placeholders_used(template) == ["customer_name"]
    rendered = macro_text_render(template=template, values=ALL_VALUES)
    assert rendered.text == "Hi Ada Lovelace {{ customer_phone }} {{ secret }} {{ customer_phone }}"


def test_text_without_placeholders_is_unchanged_and_braces_alone_are_text():
    template = "Use {curly} braces, {{ not closed, and }} alone."

    rendered = macro_text_render(template=template, values=ALL_VALUES)

    assert rendered.text == template
    assert placeholders_unknown(template) == []
