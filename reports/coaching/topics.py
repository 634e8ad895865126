"""What a topic is and how it reads. Pure functions, no queries.

A **topic** is the ticket's queue, its tags (the ``escalate`` tag aside) and the handoff's
"authority needed" with case, spacing, punctuation and numbers ignored, so that "Refund of
150 EUR." and "refund of 90 eur" are one topic and "Credit note" another.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from tickets.models import ESCALATE_TAG

AUTHORITY_KEY_MAX_CHARS = 80
"""The normalised "authority needed" of a topic is cut to this length."""
AUTHORITY_EXAMPLE_MAX_CHARS = 120
"""The example text shown for a topic is cut to this length."""

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NOT_WORD = re.compile(r"[^\w#]+")


def authority_key(text: str) -> str:
    """``"Approve a refund of 1,200.50 EUR!"`` → ``"approve a refund of # eur"``."""
    lowered = _NUMBER.sub("#", text[: AUTHORITY_KEY_MAX_CHARS * 4].lower())
    return " ".join(_NOT_WORD.sub(" ", lowered).split())[:AUTHORITY_KEY_MAX_CHARS]


def topic_tags(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({name for name in names if name != ESCALATE_TAG}))


@dataclass(frozen=True)
class Topic:
    queue_id: int | None
    queue_name: str
    tags: tuple[str, ...]
    authority: str  # the normalised "authority needed"; "" when none was written
    authority_example: str  # one of the texts as written, cut

    @property
    def key(self) -> tuple[int | None, tuple[str, ...], str]:
        return (self.queue_id, self.tags, self.authority)

    @property
    def tickets_words(self) -> str:
        """``"Refunds tickets tagged refund"`` (what macros are matched on)."""
        queue = f"{self.queue_name} tickets" if self.queue_name else "tickets without a queue"
        tags = f" tagged {', '.join(self.tags)}" if self.tags else ""
        return f"{queue}{tags}"

    @property
    def words(self) -> str:
        """``Refunds tickets tagged refund, needing “an exception above my limit”``."""
        if not self.authority:
            return self.tickets_words
        return f"{self.tickets_words}, needing “{self.authority_example}”"


def topic_for(
    *, queue_id: int | None, queue_name: str, tags: Iterable[str], authority_needed: str
) -> Topic:
    example = " ".join(authority_needed.split())
    if len(example) > AUTHORITY_EXAMPLE_MAX_CHARS:
        example = example[: AUTHORITY_EXAMPLE_MAX_CHARS - 1] + "…"
    return Topic(
        queue_id=queue_id,
        queue_name=queue_name,
        tags=topic_tags(tags),
        authority=authority_key(authority_needed),
        authority_example=example,
    )


def macro_matches(
    *, topic: Topic, queue_id: int | None, tags: Iterable[str], macro_tags: Iterable[str] = ()
) -> bool:
    """Whether a macro used on a ticket in ``queue_id`` with ``tags`` was used on this topic's
    kind of ticket: the same queue and the same tags, leaving aside the tags the macro itself
    adds (``macro_tags``) and ``escalate``."""
    own = set(topic_tags(tags)) - (set(macro_tags) - set(topic.tags))
    return queue_id == topic.queue_id and own == set(topic.tags)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def judged_words(*, agent: str, escalations: int, judged: int, avoidable: int) -> str:
    """How the receivers judged the group's escalations, as a sentence."""
    if judged == 0:
        return (
            "The receiver has not judged it yet."
            if escalations == 1
            else "The receivers have not judged them yet."
        )
    if avoidable == 0:
        if judged == 1:
            return "The receiver did not judge it avoidable."
        return f"The receivers judged none of the {judged} avoidable."
    if escalations == 1:
        return "The receiver judged it avoidable (could have been solved at first level)."
    verb = "was" if avoidable == 1 else "were"
    return (
        f"{avoidable} of {agent}'s {verb} judged avoidable by the receiver (could have been "
        "solved at first level)."
    )


def group_prompt(
    *,
    agent: str,
    topic: Topic,
    escalations: int,
    judged: int,
    avoidable: int,
    macro: str | None,
    macro_tickets: int,
    macro_solved: int,
) -> str:
    """The prompt of one agent's topic group, e.g. "Tom escalated 6 Refunds tickets tagged
    refund, needing “…”; the team's macro “Refund under 200” was used on 40 such tickets by
    others (35 now solved). 4 of Tom's were judged avoidable by the receiver (…)."""
    head = f"{agent} escalated {_plural(escalations, 'ticket')}: {topic.words}."
    if macro is not None:
        cure = (
            f" The team's macro “{macro}” was used on {_plural(macro_tickets, 'such ticket')} by "
            f"others ({macro_solved} now solved or closed): worth a look together."
        )
    else:
        cure = " The team has no macro in use for these tickets."
    judgement = judged_words(
        agent=agent, escalations=escalations, judged=judged, avoidable=avoidable
    )
    return f"{head}{cure} {judgement}"


def write_macro_prompt(*, topic: Topic, escalations: int, avoidable: int, agents: list[str]) -> str:
    """The lead's prompt for a topic with many avoidable escalations and no macro in use."""
    who = ", ".join(agents)
    return (
        f"Write a macro for {topic.words}: {_plural(escalations, 'escalation')} in the month "
        f"(by {who}), {avoidable} judged avoidable by the receiver, and no team macro is in "
        f"use for these tickets."
    )
