"""Demo data: three support teams, their queues and rules, customers and 90 days of tickets.

``demo_data_seed`` is idempotent: teams, agents, queues, rules and the SLA policy are looked up by
name and created only when missing, customers by external id, and the ticket history is generated
once (when no demo customer has a ticket yet). It writes rows directly with ``bulk_create`` and
does not go through the workflow: historical data must not queue trigger evaluations.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any, NamedTuple, TextIO

from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.utils import timezone

from escalations.audit import audit_snapshot
from escalations.currency.rates import amount_convert, rate_day
from escalations.currency.selectors import exchange_rate_facts
from escalations.engine.backtest import backtest_run
from escalations.engine.context import ticket_context_from, ticket_context_queryset
from escalations.engine.escalate import (
    EscalationRequest,
    escalation_summary_for,
    escalation_trigger_label,
)
from escalations.engine.rules import rule_matches
from escalations.engine.sentiment import sentiment_score_message
from escalations.engine.summary import EscalationSummary, Handoff, escalation_summary_text
from escalations.engine.targets import Resolution
from escalations.engine.triggers import TRIGGERS, SLAStateTrigger, excerpt
from escalations.models import (
    AuditEvent,
    Calendar,
    ClockState,
    Escalation,
    EscalationFeedback,
    EventEvaluation,
    ExchangeRate,
    FeedbackReason,
    OpeningHours,
    Rule,
    RuleKind,
    SLAMetric,
    SLAPolicy,
    SLATarget,
    Target,
    TargetKind,
)
from escalations.services import manual_escalation_sentence
from escalations.sla.clocks import Cause
from escalations.sla.replay import ReplayedCrossing, sla_clocks_replay, sla_crossings_replayed

from .demo_holders import demo_after_handover, demo_held_since, demo_receiver
from .demo_notifications import demo_notifications_ensure
from .macros.demo import demo_macros_ensure
from .mail.models import Mailbox
from .models import (
    ESCALATE_TAG,
    OPEN_STATUSES,
    Agent,
    AuthorType,
    Customer,
    CustomerTierChange,
    EventKind,
    Message,
    Note,
    NoteKind,
    Priority,
    Queue,
    RefundRequest,
    Role,
    Sentiment,
    Status,
    Tag,
    Team,
    Ticket,
    TicketEvent,
    TicketFollower,
    Tier,
    assignment_events,
)
from .search.documents import ticket_search_documents_rebuild

DEMO_PASSWORD = "kimondesk-demo"  # noqa: S105 (printed on purpose: demo logins only)
DEMO_ADMIN_USERNAME = "admin"
DEMO_CUSTOMER_PREFIX = "demo-"
DEMO_SEED = 20261125
HISTORY_DAYS = 90
BATCH_SIZE = 500


# --- The cast ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class QueueSpec:
    name: str
    specialist: bool = False


@dataclass(frozen=True)
class TeamSpec:
    key: str
    name: str
    timezone: str
    currency: str  # the team's default currency (ISO 4217)
    people: tuple[str, ...]  # lead, two seniors, three juniors
    queues: tuple[QueueSpec, ...]


TEAMS: tuple[TeamSpec, ...] = (
    TeamSpec(
        key="billing",
        name="Billing",
        timezone="Europe/Berlin",
        currency="EUR",
        people=(
            "Maria Keller",
            "Jonas Weber",
            "Aisha Rahman",
            "Tom Becker",
            "Lena Vogt",
            "Piotr Nowak",
        ),
        queues=(QueueSpec("Invoices"), QueueSpec("Payments"), QueueSpec("Refunds", True)),
    ),
    TeamSpec(
        key="technical",
        name="Technical",
        timezone="Europe/London",
        currency="GBP",
        people=(
            "Daniel Okafor",
            "Sofia Marino",
            "Kenji Sato",
            "Emma Clarke",
            "Lucas Silva",
            "Nora Lindqvist",
        ),
        queues=(
            QueueSpec("General"),
            QueueSpec("Outages"),
            QueueSpec("API & Integrations", True),
        ),
    ),
    TeamSpec(
        key="accounts",
        name="Accounts",
        timezone="America/New_York",
        currency="USD",
        people=(
            "Rachel Adams",
            "Omar Haddad",
            "Chloe Martin",
            "Ben Foster",
            "Priya Nair",
            "Sam Oduya",
        ),
        queues=(
            QueueSpec("Access & Login"),
            QueueSpec("Plan changes"),
            QueueSpec("Data & Privacy", True),
        ),
    ),
)
ROLES_BY_POSITION = (Role.LEAD, Role.SENIOR, Role.SENIOR, Role.JUNIOR, Role.JUNIOR, Role.JUNIOR)


def demo_username(team_key: str, role: str, number: int) -> str:
    return f"{team_key}-lead" if role == Role.LEAD else f"{team_key}-{role}{number}"


# --- What customers write about ----------------------------------------------------------------
SUBJECTS: dict[str, tuple[str, ...]] = {
    "Invoices": (
        "Invoice {inv} shows the wrong VAT number",
        "Duplicate invoice for {month}",
        "Need a corrected invoice with our new address",
        "Invoice {inv} is missing the PO number",
        "Can't download the PDF for invoice {inv}",
        "Why did our invoice go up this month?",
    ),
    "Payments": (
        "Card declined on renewal",
        "Charged twice for {month}",
        "Payment failed but money left our account",
        "Switching from card to bank transfer",
        "SEPA mandate rejected",
        "Renewal charge in the wrong currency",
    ),
    "Refunds": (
        "Refund for unused seats",
        "Request a refund for the annual plan",
        "Refund still not received after two weeks",
        "Partial refund for the outage on {day}",
        "Cancelled within trial, please refund",
    ),
    "General": (
        "Dashboard loads very slowly",
        "Export to CSV produces an empty file",
        "Search does not find tickets by customer email",
        "Mobile app crashes on start",
        "Notifications are not being delivered",
        "Report filters reset after refresh",
    ),
    "Outages": (
        "Service unavailable (HTTP 503) since this morning",
        "Login page times out for the whole team",
        "Data sync stopped on {day}",
        "Everything is down for us",
        "Very high latency in EU region",
    ),
    "API & Integrations": (
        "Webhook signatures fail to verify",
        "API returns 429 although we are under the limit",
        "Salesforce integration stopped syncing contacts",
        "OAuth token refresh returns invalid_grant",
        "Pagination cursor skips records",
    ),
    "Access & Login": (
        "Locked out after password reset",
        "2FA codes are rejected",
        "SSO login loops back to the sign-in page",
        "Need to transfer account ownership",
        "New team member never got the invite email",
    ),
    "Plan changes": (
        "Upgrade to {tier} plan",
        "Downgrade at the end of the billing period",
        "Add 15 seats mid-cycle",
        "Questions about the enterprise contract",
        "Move from monthly to annual billing",
    ),
    "Data & Privacy": (
        "GDPR data export request",
        "Please delete all data of a former employee",
        "Need a signed DPA",
        "Where is our data hosted?",
        "Data retention settings for audit logs",
    ),
}

# What German-writing customers put in the subject line: as many per queue as in English.
SUBJECTS_GERMAN: dict[str, tuple[str, ...]] = {
    "Invoices": (
        "Rechnung {inv} hat die falsche USt-IdNr.",
        "Doppelte Rechnung für den letzten Monat",
        "Wir brauchen eine korrigierte Rechnung mit unserer neuen Adresse",
        "Auf der Rechnung {inv} fehlt die Bestellnummer",
        "Das PDF der Rechnung {inv} lässt sich nicht herunterladen",
        "Warum ist unsere Rechnung diesen Monat höher?",
    ),
    "Payments": (
        "Karte bei der Verlängerung abgelehnt",
        "Für den letzten Monat zweimal abgebucht",
        "Zahlung fehlgeschlagen, aber das Geld ist weg",
        "Wechsel von Karte auf Überweisung",
        "SEPA-Mandat wurde abgelehnt",
        "Verlängerung in der falschen Währung abgebucht",
    ),
    "Refunds": (
        "Erstattung für nicht genutzte Plätze",
        "Bitte um Erstattung für den Jahrestarif",
        "Die Erstattung ist nach zwei Wochen immer noch nicht da",
        "Teilerstattung für den Ausfall letzte Woche",
        "In der Testphase gekündigt, bitte erstatten",
    ),
    "General": (
        "Das Dashboard lädt sehr langsam",
        "Der CSV-Export erzeugt eine leere Datei",
        "Die Suche findet keine Tickets über die E-Mail des Kunden",
        "Die App stürzt beim Start ab",
        "Benachrichtigungen werden nicht zugestellt",
        "Die Filter im Bericht werden nach dem Neuladen zurückgesetzt",
    ),
    "Outages": (
        "Dienst seit heute Morgen nicht erreichbar (HTTP 503)",
        "Die Anmeldeseite läuft für das ganze Team in einen Timeout",
        "Die Datensynchronisation ist seit gestern gestoppt",
        "Bei uns geht gar nichts mehr",
        "Sehr hohe Latenz in der EU-Region",
    ),
    "API & Integrations": (
        "Die Signaturen der Webhooks lassen sich nicht prüfen",
        "Die API meldet 429, obwohl wir unter dem Limit sind",
        "Die Salesforce-Integration synchronisiert keine Kontakte mehr",
        "Die Erneuerung des OAuth-Tokens meldet invalid_grant",
        "Der Paginierungs-Cursor überspringt Datensätze",
    ),
    "Access & Login": (
        "Nach dem Zurücksetzen des Passworts gesperrt",
        "Die 2FA-Codes werden nicht angenommen",
        "Die SSO-Anmeldung springt immer wieder zur Anmeldeseite zurück",
        "Wir müssen den Kontoinhaber ändern",
        "Ein neues Teammitglied hat die Einladung nie bekommen",
    ),
    "Plan changes": (
        "Wechsel auf den Tarif {tier}",
        "Herabstufung zum Ende des Abrechnungszeitraums",
        "Wir brauchen 15 Plätze mehr, mitten im Zeitraum",
        "Fragen zum Enterprise-Vertrag",
        "Von monatlicher auf jährliche Abrechnung wechseln",
    ),
    "Data & Privacy": (
        "Antrag auf Datenexport nach DSGVO",
        "Bitte löschen Sie alle Daten eines ehemaligen Mitarbeiters",
        "Wir brauchen einen unterschriebenen AV-Vertrag",
        "Wo werden unsere Daten gespeichert?",
        "Aufbewahrungsfristen für die Audit-Logs",
    ),
}

ANGRY = (
    "This is the third time I'm writing about this and still nothing. Absolutely unacceptable.",
    "Honestly this is ridiculous. We are paying for {tier} and nobody answers. Fix it today.",
    "I'm furious. Your product broke our month-end close and nobody seems to care.",
    "If this isn't fixed by Friday we will cancel our subscription and move to a competitor.",
    "We're seriously considering switching providers. Please close my account if you can't help.",
    "THIS IS STILL BROKEN. THREE WEEKS, NO RESPONSE.",
    "Worst support experience I've had. I want to speak to a manager.",
)
REFUND_ASKS = (
    "Please refund {amount} {currency} for the period we couldn't use the service.",
    "We'd like a refund of {amount} {currency}; the seats were never used.",
    "I expect a full refund of {amount} {currency}, we were charged by mistake.",
)
CUSTOMER_THANKS = (
    "That worked, thank you so much!",
    "Perfect, all sorted. Great support.",
    "Confirmed, it's fine now. Thanks for your help.",
    "Thanks, you can close this.",
)
# What a thread says follows what it is about: a fault, a billing question, a refund or an
# account request. Every topic has as many lines of each kind as the others, so a thread draws the
# same numbers whatever its topic.
TOPIC_BY_QUEUE = {
    "Invoices": "billing",
    "Payments": "billing",
    "Refunds": "refund",
    "General": "fault",
    "Outages": "fault",
    "API & Integrations": "fault",
    "Access & Login": "fault",
    "Plan changes": "request",
    "Data & Privacy": "request",
}


class ThreadLines(NamedTuple):
    openers: tuple[str, ...]
    agent_first: tuple[str, ...]
    customer_followups: tuple[str, ...]
    agent_followups: tuple[str, ...]


_OPENER_ASK = "Hi, {subject_lc}. Could you take a look?"
_OPENER_REGARDS = (
    "Hi there,\n\n{subject_lc}. We'd appreciate a quick answer.\n\nBest regards,\n{first}"
)
_OPENER_ACCOUNT_ID = "Good morning. {subject}. Our account id is {external_id}."
_AGENT_LOOKING = "Hi {first}, thanks for reaching out. I'm looking into this now and will get back to you shortly."
_AGENT_OWNER_EMAIL = (
    "Hello {first}, sorry for the trouble. Could you confirm the account owner's email address so "
    "I can make the change?"
)
_AGENT_PASSED_ON = (
    "Hi {first}, thanks for the details. I've checked your account and passed this to the "
    "colleague who handles it."
)
_AGENT_HAPPY_TO_HELP = "Hello {first}, happy to help with this. Let me check your account."
# The reply to an angry message: it owns the delay before it answers.
AGENT_AFTER_ANGER = (
    "Hello {first}, I'm sorry: you should not have had to write again. I understand how "
    "frustrating this is, and I'm on it now."
)
AGENT_AFTER_ANGER_GERMAN = (
    "Hallo {first}, das tut mir leid: Sie hätten nicht noch einmal schreiben müssen. Ich verstehe "
    "Ihren Ärger und kümmere mich jetzt sofort darum."
)
_CUSTOMER_STILL = "Thanks for the quick reply. I tried that, but the problem is still there."
_CUSTOMER_ANY_UPDATE = "Any update on this?"
_CUSTOMER_SUB_ACCOUNTS = (
    "Thanks, that's helpful. One more question: does this also apply to our sub-accounts?"
)
_AGENT_CORRECTED = (
    "Hi {first}, I've corrected this on your account. You'll see the change within the hour."
)
_AGENT_PENDING = "Hi {first}, I'm setting this to pending while we wait for your confirmation."

# A bill and a refund open and are first answered alike.
_BILL_OPENERS = (
    _OPENER_ASK,
    "Hello support team, a question about our bill: {subject_lc}. Details below.\n\nThanks, {first}",
    "{subject}. Our finance team needs this before the end of the month.",
    _OPENER_REGARDS,
    _OPENER_ACCOUNT_ID,
)
_BILL_AGENT_FIRST = (_AGENT_LOOKING, _AGENT_OWNER_EMAIL, _AGENT_PASSED_ON, _AGENT_HAPPY_TO_HELP)

THREAD_LINES: dict[str, ThreadLines] = {
    "fault": ThreadLines(
        openers=(
            _OPENER_ASK,
            "Hello support team, we have a problem: {subject_lc}. Details below.\n\nThanks, {first}",
            "{subject}. This started yesterday and affects several people on our side.",
            _OPENER_REGARDS,
            _OPENER_ACCOUNT_ID,
        ),
        agent_first=(
            _AGENT_LOOKING,
            "Hello {first}, sorry for the trouble. Could you send us the exact time it happened "
            "and a screenshot?",
            "Hi {first}, thanks for the details. I've reproduced the issue and passed it to our "
            "specialists.",
            _AGENT_HAPPY_TO_HELP,
        ),
        customer_followups=(
            _CUSTOMER_STILL,
            "Here is a screenshot of the error. It happens every time.",
            _CUSTOMER_ANY_UPDATE,
            "We checked again: it only happens for users in the EU workspace.",
            _CUSTOMER_SUB_ACCOUNTS,
        ),
        agent_followups=(
            "Thanks {first}, that helps. We've applied a fix on our side; could you try again?",
            "Hi {first}, quick update: our engineers have found the cause and a fix is rolling "
            "out today.",
            "Hi {first}, I've changed a setting on your account. You'll see the difference within "
            "the hour.",
            "Hello {first}, we have added monitoring for this and it has not happened again since "
            "the change.",
            _AGENT_PENDING,
        ),
    ),
    "billing": ThreadLines(
        openers=_BILL_OPENERS,
        agent_first=_BILL_AGENT_FIRST,
        customer_followups=(
            _CUSTOMER_STILL,
            "Here is a copy of the invoice. The error is on every page.",
            _CUSTOMER_ANY_UPDATE,
            "One more detail: we are billed through our EU entity.",
            _CUSTOMER_SUB_ACCOUNTS,
        ),
        agent_followups=(
            "Thanks {first}, that helps. I've issued a corrected invoice; you'll find it under "
            "Billing in your account.",
            "Hi {first}, quick update: our finance team has checked this and I'll have the answer "
            "for you today.",
            _AGENT_CORRECTED,
            "Hello {first}, the corrected document is attached to this reply for your records.",
            _AGENT_PENDING,
        ),
    ),
    "refund": ThreadLines(
        openers=_BILL_OPENERS,
        agent_first=_BILL_AGENT_FIRST,
        customer_followups=(
            _CUSTOMER_STILL,
            "Here is the invoice the refund is for. The charge is wrong.",
            _CUSTOMER_ANY_UPDATE,
            "We checked again with our finance team: the amount is right.",
            "Thanks, that's helpful. One more question: will the refund go back to the same card?",
        ),
        agent_followups=(
            "Thanks {first}, that helps. I've passed the refund to our finance team for approval.",
            "Hi {first}, quick update: the refund is with our finance team and I expect their "
            "answer today.",
            "Hi {first}, I've corrected the charge on your account. You'll see the change within "
            "the hour.",
            "Hello {first}, the refund has been approved and will reach you within 5 business days.",
            _AGENT_PENDING,
        ),
    ),
    "request": ThreadLines(
        openers=(
            _OPENER_ASK,
            "Hello support team, a request for our account: {subject_lc}. Details below.\n\n"
            "Thanks, {first}",
            "{subject}. We need this sorted before the end of the month.",
            _OPENER_REGARDS,
            _OPENER_ACCOUNT_ID,
        ),
        agent_first=(
            _AGENT_LOOKING,
            _AGENT_OWNER_EMAIL,
            _AGENT_PASSED_ON,
            "Hello {first}, happy to help with this. Let me check your account.",
        ),
        customer_followups=(
            _CUSTOMER_STILL,
            "Here is the form you asked for, filled in. The last one had an error.",
            _CUSTOMER_ANY_UPDATE,
            "One more detail: the account is held by our EU entity.",
            _CUSTOMER_SUB_ACCOUNTS,
        ),
        agent_followups=(
            "Thanks {first}, that helps. The change is made; the confirmation is on its way to "
            "the account owner.",
            "Hi {first}, quick update: the team that handles this has checked it and I'll have the "
            "answer for you today.",
            _AGENT_CORRECTED,
            "Hello {first}, the document is attached to this reply for your records.",
            _AGENT_PENDING,
        ),
    ),
}

# Every twentieth demo customer writes in German (the teams work Berlin hours). The scorer has no
# German model, so their messages are marked "not scored (de)" and rule health counts them; the
# team answers in German. Each kind has as many lines as its English counterpart, so a German
# thread draws the same numbers as an English one.
DEMO_GERMAN_EVERY = 20
THREAD_LINES_GERMAN = ThreadLines(
    openers=(
        "Hallo, es geht um Folgendes: {subject}. Können Sie sich das bitte ansehen?",
        "Guten Tag, wir haben ein Anliegen zu unserem Konto: {subject}. Die Details stehen "
        "unten.\n\nDanke und viele Grüße, {first}",
        "{subject}. Wir brauchen das bitte noch vor dem Monatsende.",
        "Hallo zusammen,\n\n{subject}. Wir würden uns über eine schnelle Antwort freuen.\n\n"
        "Viele Grüße\n{first}",
        "Guten Morgen. {subject}. Unsere Kundennummer ist {external_id}.",
    ),
    agent_first=(
        "Hallo {first}, danke für Ihre Nachricht. Ich sehe mir das jetzt an und melde mich gleich "
        "bei Ihnen.",
        "Guten Tag {first}, können Sie mir bitte die E-Mail-Adresse des Kontoinhabers bestätigen?",
        "Hallo {first}, danke für die Details. Ich habe Ihr Konto geprüft und das an die "
        "zuständige Kollegin weitergegeben.",
        "Hallo {first}, gern helfe ich Ihnen dabei. Ich prüfe das in Ihrem Konto.",
    ),
    customer_followups=(
        "Danke für die schnelle Antwort. Ich habe es versucht, aber das Problem ist immer noch da.",
        "Hier ist das Formular, um das Sie gebeten haben. Beim letzten war ein Fehler drin.",
        "Gibt es schon etwas Neues?",
        "Noch ein Detail: das Konto gehört zu unserer Gesellschaft in der EU.",
        "Danke, das hilft. Noch eine Frage: gilt das auch für unsere Unterkonten?",
    ),
    agent_followups=(
        "Danke {first}, das hilft. Die Änderung ist gemacht, die Bestätigung ist an den "
        "Kontoinhaber unterwegs.",
        "Hallo {first}, kurz zum Stand: das zuständige Team hat es geprüft, und ich habe die "
        "Antwort heute noch für Sie.",
        "Hallo {first}, ich habe das in Ihrem Konto korrigiert. Sie sehen die Änderung innerhalb "
        "der nächsten Stunde.",
        "Guten Tag {first}, das Dokument hängt für Ihre Unterlagen an dieser Antwort.",
        "Hallo {first}, ich setze das auf wartend, bis Sie es uns bestätigen.",
    ),
)
ANGRY_GERMAN = (
    "Das ist jetzt schon das dritte Mal, dass ich deswegen schreibe, und es passiert nichts. "
    "Völlig inakzeptabel.",
    "Das ist wirklich lächerlich. Wir zahlen für {tier} und niemand antwortet. Bitte heute noch "
    "beheben.",
    "Ich bin wütend. Ihr Produkt hat unseren Monatsabschluss kaputt gemacht, und es kümmert "
    "niemanden.",
    "Wenn das bis Freitag nicht behoben ist, kündigen wir und wechseln zu einem anderen Anbieter.",
    "Wir denken ernsthaft über einen Wechsel nach. Bitte schließen Sie unser Konto, wenn Sie "
    "nicht helfen können.",
    "DAS IST IMMER NOCH KAPUTT. DREI WOCHEN, KEINE ANTWORT.",
    "Der schlechteste Support, den ich je hatte. Ich möchte mit einer Führungskraft sprechen.",
)
REFUND_ASKS_GERMAN = (
    "Bitte erstatten Sie {amount} {currency} für den Zeitraum, in dem wir den Dienst nicht "
    "nutzen konnten.",
    "Wir hätten gern eine Erstattung von {amount} {currency}; die Plätze wurden nie genutzt.",
    "Ich erwarte eine volle Erstattung von {amount} {currency}, das wurde uns irrtümlich "
    "berechnet.",
)
CUSTOMER_THANKS_GERMAN = (
    "Das hat funktioniert, vielen Dank!",
    "Perfekt, jetzt ist alles erledigt. Danke für den tollen Support.",
    "Bestätigt, es ist jetzt alles in Ordnung. Danke für die Hilfe.",
    "Danke, Sie können das schließen.",
)


def demo_customer_writes_german(customer: Customer) -> bool:
    """Whether a demo customer writes in German: every ``DEMO_GERMAN_EVERY``-th by number."""
    number = customer.external_id.removeprefix(DEMO_CUSTOMER_PREFIX)
    return number.isdigit() and int(number) % DEMO_GERMAN_EVERY == 0


FIRST_NAMES = (
    "Alex", "Jamie", "Chris", "Morgan", "Taylor", "Jordan", "Casey", "Robin", "Kim", "Sasha",
    "Noah", "Mia", "Elias", "Hannah", "Leon", "Sara", "Felix", "Julia", "Oscar", "Ida",
)  # fmt: skip
COMPANY_WORDS = (
    "Acme", "Northwind", "Bluebird", "Cedar", "Harbor", "Summit", "Lumen", "Quarry", "Fjord",
    "Orchid", "Pioneer", "Granite", "Willow", "Beacon", "Atlas", "Nimbus", "Copper", "Falcon",
    "Meadow", "Vertex", "Juniper", "Kestrel", "Maple", "Onyx", "Polar", "Sierra", "Tidal", "Zephyr",
)  # fmt: skip
COMPANY_KINDS = (
    "Labs", "Logistics", "Foods", "Health", "Media", "Systems", "Retail", "Studio", "Partners",
    "Analytics", "Robotics", "Travel", "Energy", "Legal", "Apparel",
)  # fmt: skip
TIER_WEIGHTS: dict[str, int] = {
    Tier.FREE: 30,
    Tier.STANDARD: 38,
    Tier.PREMIUM: 22,
    Tier.ENTERPRISE: 10,
}
PRIORITY_WEIGHTS: dict[str, int] = {
    Priority.LOW: 18,
    Priority.NORMAL: 52,
    Priority.HIGH: 22,
    Priority.URGENT: 8,
}
# How long the first agent reply takes, by priority (minutes, from assignment).
RESPONSE_MINUTES: dict[str, tuple[int, int]] = {
    Priority.URGENT: (5, 120),
    Priority.HIGH: (15, 360),
    Priority.NORMAL: (30, 900),
    Priority.LOW: (60, 2400),
}
REFUND_CURRENCIES = ("USD", "USD", "USD", "EUR", "EUR", "GBP")


# --- Results -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    description: str


@dataclass
class DemoSeedResult:
    created: dict[str, int] = field(default_factory=dict)
    logins: list[DemoLogin] = field(default_factory=list)
    tickets_already_present: bool = False


# --- Helpers -------------------------------------------------------------------------------------
class ProgressLine:
    """A one-line progress bar on a text stream (redrawn in place on a terminal)."""

    def __init__(self, stream: TextIO | None, label: str, total: int, width: int = 30) -> None:
        self.stream, self.label, self.total, self.width = stream, label, max(total, 1), width
        self.tty = bool(stream is not None and stream.isatty())
        self._last = -1

    def update(self, done: int) -> None:
        if self.stream is None:
            return
        percent = done * 100 // self.total
        final = done >= self.total
        if percent == self._last or not (self.tty or final):
            return
        self._last = percent
        filled = self.width * done // self.total
        bar = "#" * filled + "." * (self.width - filled)
        line = f"{self.label:<10} [{bar}] {done}/{self.total}"
        self.stream.write(("\r" if self.tty else "") + line + ("\n" if final else ""))
        self.stream.flush()


@contextmanager
def _explicit_timestamps(*model_fields: models.Field[Any, Any]) -> Iterator[None]:
    """Let ``bulk_create`` store the timestamps we set.

    ``auto_now``/``auto_now_add`` fields overwrite any value with "now" in ``pre_save``, on
    ``bulk_create`` too; backdated history needs them switched off for the insert.
    """
    saved = [
        (f, getattr(f, "auto_now", False), getattr(f, "auto_now_add", False)) for f in model_fields
    ]
    try:
        for f, _, _ in saved:
            f.auto_now = False  # type: ignore[attr-defined]
            f.auto_now_add = False  # type: ignore[attr-defined]
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now = auto_now  # type: ignore[attr-defined]
            f.auto_now_add = auto_now_add  # type: ignore[attr-defined]


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    f = model._meta.get_field(name)
    assert isinstance(f, models.Field)
    return f


def _bulk_create(
    model: type[models.Model], rows: Sequence[models.Model], progress: ProgressLine | None = None
) -> None:
    for start in range(0, len(rows), BATCH_SIZE):
        model._default_manager.bulk_create(rows[start : start + BATCH_SIZE])
        if progress is not None:
            progress.update(min(start + BATCH_SIZE, len(rows)))
    if progress is not None and not rows:
        progress.update(0)


def _weighted(rng: random.Random, weights: Mapping[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _business_moment(rng: random.Random, day: datetime) -> datetime:
    """A plausible time on ``day`` when customers write (mostly office hours)."""
    hour = rng.choice((7, 8, 9, 9, 10, 10, 11, 11, 12, 13, 14, 14, 15, 15, 16, 17, 19, 22))
    return day.replace(hour=hour, minute=rng.randrange(60), second=rng.randrange(60))


# --- Structure: teams, agents, queues, rules, SLA ----------------------------------------------
def _demo_structure_ensure(result: DemoSeedResult) -> dict[str, Any]:
    created = result.created
    password_hash = make_password(DEMO_PASSWORD)

    admin = Agent.objects.filter(username=DEMO_ADMIN_USERNAME).first()
    if admin is None:
        admin = Agent.objects.create(
            username=DEMO_ADMIN_USERNAME,
            name="Demo Admin",
            email="admin@example.com",
            password=password_hash,
            is_staff=True,
            is_superuser=True,
        )
        created["agents"] = created.get("agents", 0) + 1
    result.logins.append(DemoLogin(admin.username, DEMO_PASSWORD, "admin (all teams, admin site)"))

    teams: list[Team] = []
    line_agents: list[DemoLogin] = []
    queues_by_team: dict[int, list[Queue]] = {}
    agents_by_team: dict[int, list[Agent]] = {}
    for spec in TEAMS:
        team, made = Team.objects.get_or_create(
            name=spec.name, defaults={"timezone": spec.timezone, "default_currency": spec.currency}
        )
        created["teams"] = created.get("teams", 0) + int(made)
        teams.append(team)
        members: list[Agent] = []
        counters = {Role.LEAD: 0, Role.SENIOR: 0, Role.JUNIOR: 0}
        for person, role in zip(spec.people, ROLES_BY_POSITION, strict=True):
            counters[role] += 1
            username = demo_username(spec.key, role, counters[role])
            agent, made = Agent.objects.get_or_create(
                username=username,
                defaults={
                    "name": person,
                    "first_name": person.split()[0],
                    "last_name": person.split()[-1],
                    "email": f"{username}@example.com",
                    "team": team,
                    "role": role,
                    "password": password_hash,
                },
            )
            created["agents"] = created.get("agents", 0) + int(made)
            members.append(agent)
        lead = members[0]
        if team.lead_id is None:
            team.lead = lead
            team.save(update_fields=["lead"])
        agents_by_team[team.pk] = members
        result.logins.append(DemoLogin(lead.username, DEMO_PASSWORD, f"team lead, {team.name}"))
        if spec.key == TEAMS[0].key:
            line_agents = [
                DemoLogin(members[1].username, DEMO_PASSWORD, f"senior agent, {team.name}"),
                DemoLogin(members[3].username, DEMO_PASSWORD, f"junior agent, {team.name}"),
            ]

        team_queues: list[Queue] = []
        for qspec in spec.queues:
            queue, made = Queue.objects.get_or_create(
                team=team, name=qspec.name, defaults={"specialist": qspec.specialist}
            )
            created["queues"] = created.get("queues", 0) + int(made)
            if made:
                # Specialist queues are worked by the lead and the seniors; the others by everyone.
                queue.members.set(members[:3] if qspec.specialist else members)
            team_queues.append(queue)
        queues_by_team[team.pk] = team_queues

    result.logins.extend(line_agents)
    _demo_rules_ensure(result, teams, queues_by_team)
    _demo_sla_ensure(result, teams)
    return {"admin": admin, "teams": teams, "queues": queues_by_team, "agents": agents_by_team}


def _demo_rules_ensure(
    result: DemoSeedResult, teams: list[Team], queues_by_team: dict[int, list[Queue]]
) -> None:
    created = result.created
    by_name = {team.name: team for team in teams}

    def target(name: str, kind: str, **kwargs: Any) -> Target:
        obj, made = Target.objects.get_or_create(name=name, kind=kind, defaults=kwargs)
        created["targets"] = created.get("targets", 0) + int(made)
        return obj

    def rule(name: str, *, formerly: str = "", **kwargs: Any) -> None:
        # A demo rule renamed since an earlier seed is there already under its former name.
        if formerly and Rule.objects.filter(name=formerly).exists():
            return
        _, made = Rule.objects.get_or_create(
            name=name, defaults={"kind": RuleKind.ESCALATION, **kwargs}
        )
        created["rules"] = created.get("rules", 0) + int(made)

    lead_targets = {
        team.name: target(f"{team.name} team lead", TargetKind.TEAM_LEAD, team=team)
        for team in teams
    }
    billing = by_name["Billing"]
    refunds_queue = next(q for q in queues_by_team[billing.pk] if q.specialist)
    refunds_target = target(
        "Refund specialists", TargetKind.QUEUE, team=billing, queue=refunds_queue
    )
    for team in teams:
        rule(
            f"{team.name}: angry customer to the lead",
            team=team,
            order=10,
            trigger_kind="sentiment_negative",
            conditions=[{"field": "tier", "op": "gte", "value": Tier.STANDARD}],
            target=lead_targets[team.name],
            cooldown_minutes=240,
            ack_limit_minutes=30,
        )
        rule(
            f"{team.name}: escalate tag to the lead",
            team=team,
            order=20,
            trigger_kind="escalate_tag",
            target=lead_targets[team.name],
            cooldown_minutes=30,
        )
    rule(
        "Billing: large refunds to refund specialists",
        team=billing,
        order=30,
        trigger_kind="refund_threshold",
        trigger_params={"amount": "500.00", "currency": billing.default_currency},
        target=refunds_target,
        cooldown_minutes=60,
    )
    rule(
        "Accounts: tier upgrade to the lead",
        team=by_name["Accounts"],
        order=40,
        trigger_kind="tier_upgrade",
        conditions=[{"field": "tier", "op": "gte", "value": Tier.PREMIUM}],
        target=lead_targets["Accounts"],
    )
    rule(
        "Technical: first response at risk on high and urgent tickets",
        formerly="Technical: first response at risk for urgent tickets",
        team=by_name["Technical"],
        order=50,
        trigger_kind="frt_amber",
        conditions=[{"field": "priority", "op": "in", "value": [Priority.HIGH, Priority.URGENT]}],
        target=lead_targets["Technical"],
        cooldown_minutes=120,
    )
    rule(
        "Billing: breached SLA to refund specialists",
        team=billing,
        order=60,
        trigger_kind="sla_breach",
        target=refunds_target,
        cooldown_minutes=60,
    )


# Shared (every team's) rates between the demo currencies, quoted twice: from before the history
# starts and a newer one within it, so refunds in any demo currency meet the refund threshold.
DEMO_EXCHANGE_RATES = (
    # (base, quote, rate from 120 days before the seed, rate from 45 days before it)
    ("USD", "EUR", "0.930000", "0.915000"),
    ("GBP", "EUR", "1.170000", "1.185000"),
    ("USD", "GBP", "0.795000", "0.772000"),
)


def _demo_exchange_rates_ensure(result: DemoSeedResult, *, admin: Agent, now: datetime) -> None:
    """Dated shared exchange rates, once (only when there is no shared rate yet)."""
    if ExchangeRate.objects.filter(team__isnull=True).exists():
        return
    days = ((now - timedelta(days=120)).date(), (now - timedelta(days=45)).date())
    rows = [
        ExchangeRate(base=base, quote=quote, rate=Decimal(rate), valid_from=day, created_by=admin)
        for base, quote, *rates in DEMO_EXCHANGE_RATES
        for day, rate in zip(days, rates, strict=True)
    ]
    ExchangeRate.objects.bulk_create(rows)
    result.created["exchange_rates"] = len(rows)


FIRST_RESPONSE_MINUTES = {
    Priority.URGENT: 60,
    Priority.HIGH: 4 * 60,
    Priority.NORMAL: 8 * 60,
    Priority.LOW: 24 * 60,
}
NEXT_RESPONSE_MINUTES = {
    Priority.URGENT: 2 * 60,
    Priority.HIGH: 4 * 60,
    Priority.NORMAL: 8 * 60,
    Priority.LOW: 16 * 60,
}
RESOLUTION_MINUTES = {
    Priority.URGENT: 8 * 60,
    Priority.HIGH: 16 * 60,
    Priority.NORMAL: 40 * 60,
    Priority.LOW: 80 * 60,
}


def _demo_sla_ensure(result: DemoSeedResult, teams: list[Team]) -> None:
    created = result.created
    calendar, made = Calendar.objects.get_or_create(
        name="Berlin office hours",
        defaults={
            "timezone": "Europe/Berlin",
            "holiday_country": "DE",
            "holiday_subdivision": "BE",
        },
    )
    created["calendars"] = created.get("calendars", 0) + int(made)
    if made:
        OpeningHours.objects.bulk_create(
            OpeningHours(calendar=calendar, weekday=day, start=time(9), end=time(17))
            for day in range(5)
        )
    policy, made = SLAPolicy.objects.get_or_create(
        name="Standard support hours", defaults={"calendar": calendar, "order": 100}
    )
    created["sla_policies"] = created.get("sla_policies", 0) + int(made)
    if made:
        # Every open demo ticket runs a clock: the first response, then the next response to
        # each customer message, and the resolution (business minutes).
        SLATarget.objects.bulk_create(
            SLATarget(policy=policy, metric=metric, priority=priority, minutes=minutes)
            for metric, targets in (
                (SLAMetric.FIRST_RESPONSE, FIRST_RESPONSE_MINUTES),
                (SLAMetric.NEXT_RESPONSE, NEXT_RESPONSE_MINUTES),
                (SLAMetric.RESOLUTION, RESOLUTION_MINUTES),
            )
            for priority, minutes in targets.items()
        )


# --- Customers --------------------------------------------------------------------------------
def _demo_customers_ensure(
    result: DemoSeedResult, rng: random.Random, count: int, now: datetime
) -> list[Customer]:
    wanted: list[Customer] = []
    for number in range(1, count + 1):
        name = f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_KINDS)}"
        contact = rng.choice(FIRST_NAMES)
        slug = name.lower().replace(" ", "")
        wanted.append(
            Customer(
                external_id=f"{DEMO_CUSTOMER_PREFIX}{number:04d}",
                name=f"{name} ({contact})",
                email=f"{contact.lower()}@{slug}{number}.example.com",
                tier=_weighted(rng, TIER_WEIGHTS),
                created_at=now - timedelta(days=rng.randrange(HISTORY_DAYS + 30, 900)),
                updated_at=now - timedelta(days=rng.randrange(0, HISTORY_DAYS)),
            )
        )
    existing = set(
        Customer.objects.filter(external_id__in=[c.external_id for c in wanted]).values_list(
            "external_id", flat=True
        )
    )
    missing = [c for c in wanted if c.external_id not in existing]
    with _explicit_timestamps(_field(Customer, "created_at"), _field(Customer, "updated_at")):
        _bulk_create(Customer, missing)
    result.created["customers"] = len(missing)

    if missing:
        # Tier history: customers above "free" mostly got there by an upgrade.
        changes: list[CustomerTierChange] = []
        ranks = list(Tier.values)
        for customer in Customer.objects.filter(external_id__in=[c.external_id for c in missing]):
            rank = ranks.index(customer.tier)
            if rank > 0 and rng.random() < 0.35:
                changes.append(
                    CustomerTierChange(
                        customer=customer,
                        from_tier=ranks[rank - 1],
                        to_tier=customer.tier,
                        changed_at=now - timedelta(days=rng.uniform(1, HISTORY_DAYS * 3)),
                    )
                )
        with _explicit_timestamps(_field(CustomerTierChange, "changed_at")):
            _bulk_create(CustomerTierChange, changes)
        result.created["tier_changes"] = len(changes)
    return list(
        Customer.objects.filter(external_id__startswith=DEMO_CUSTOMER_PREFIX).order_by(
            "external_id"
        )
    )


# --- Tickets and their history ----------------------------------------------------------------
DEMO_LOAD_WINDOW = timedelta(days=3)  # the router evens out tickets given within this of a new one


@dataclass
class _Router:
    """Routes a team's tickets as a load-balancing router would: of two of its agents drawn at
    random, the one given fewer tickets within ``DEMO_LOAD_WINDOW`` of the new ticket (tickets
    are built in random time order, so "before" would not do). Every agent, the demo's juniors
    included, holds a share of the recent, still open tickets."""

    given: dict[int, list[datetime]] = field(default_factory=lambda: defaultdict(list))

    def pick(self, rng: random.Random, agents: list[Agent], at: datetime) -> Agent:
        def load(agent: Agent) -> int:
            return sum(abs(given - at) <= DEMO_LOAD_WINDOW for given in self.given[agent.pk])

        first, second = rng.sample(agents, 2) if len(agents) > 1 else (agents[0], agents[0])
        chosen = first if load(first) <= load(second) else second
        self.given[chosen.pk].append(at)
        return chosen


@dataclass
class _Thread:
    """One generated ticket with everything that happened on it, before insertion."""

    ticket: Ticket
    messages: list[Message] = field(default_factory=list)
    # (when, kind, actor, assignee, data); message events name their message by list index.
    events: list[tuple[datetime, str, Agent | None, Agent | None, dict[str, Any]]] = field(
        default_factory=list
    )
    tags: list[str] = field(default_factory=list)
    refund: RefundRequest | None = None
    # How the ticket ends (solved, closed, on hold): (when, data, by its holder); recorded after
    # the escalations, by whoever holds the ticket by then (the auto-close by nobody).
    ending: list[tuple[datetime, dict[str, Any], bool]] = field(default_factory=list)


@dataclass(frozen=True)
class _Ending:
    """A status change that ends a ticket's history, waiting for the escalations to be seeded:
    the history is written before them, and the agent who ends the ticket is whoever holds it
    by then (an escalation's receiver, or the agent it was handed back to)."""

    ticket_id: int
    at: datetime
    data: dict[str, Any]
    by_holder: bool


def _fill(template: str, **values: Any) -> str:
    # A question subject ends its own sentence: "…this month? Could you…", not "month?. Could".
    return template.format(**values).replace("?.", "?")


def _line_unsaid(rng: random.Random, lines: tuple[str, ...], said: set[str]) -> str:
    """A line drawn from ``lines`` that the thread has not said yet: the draw is
    ``rng.choice``'s (so the rest of the demo draws the same numbers), moved on to the next
    unsaid line when it was said already (no thread repeats itself word for word)."""
    index = lines.index(rng.choice(lines))
    for step in range(len(lines)):
        line = lines[(index + step) % len(lines)]
        if line not in said:
            said.add(line)
            return line
    return lines[index]


def _demo_thread_build(
    rng: random.Random,
    *,
    now: datetime,
    customer: Customer,
    team: Team,
    queue: Queue,
    agents: list[Agent],
    router: _Router,
) -> _Thread:
    created_at = _business_moment(rng, now - timedelta(days=rng.uniform(0, HISTORY_DAYS)))
    if created_at > now:
        created_at = now - timedelta(minutes=rng.randrange(5, 120))
    age_days = (now - created_at).total_seconds() / 86400
    priority = _weighted(rng, PRIORITY_WEIGHTS)
    if customer.tier == Tier.ENTERPRISE and priority == Priority.LOW:
        priority = Priority.NORMAL
    first = customer.name.split("(")[-1].rstrip(")")
    german = demo_customer_writes_german(customer)
    subject = _fill(
        rng.choice((SUBJECTS_GERMAN if german else SUBJECTS)[queue.name]),
        inv=f"INV-{rng.randrange(10000, 99999)}",
        month=(created_at - timedelta(days=20)).strftime("%B"),
        day=(created_at - timedelta(days=1)).strftime("%d %B"),
        tier=rng.choice(("Premium", "Enterprise")),
    )
    values = {
        "subject": subject,
        "subject_lc": subject[0].lower() + subject[1:],
        "first": first,
        "external_id": customer.external_id,
        "tier": customer.get_tier_display(),
    }
    thread = _Thread(
        ticket=Ticket(
            subject=subject,
            customer=customer,
            priority=priority,
            queue=queue,
            status=Status.NEW,
            created_at=created_at,
            updated_at=created_at,
        )
    )
    tags: list[str] = []
    if customer.tier == Tier.ENTERPRISE:
        tags.append("vip")
    if queue.name == "Outages":
        tags.append("outage")
    is_refund = queue.name == "Refunds" or (team.name == "Billing" and rng.random() < 0.08)
    is_angry = rng.random() < (0.25 if priority in (Priority.HIGH, Priority.URGENT) else 0.1)
    if is_refund:
        tags.append("refund")
    thread.tags = tags

    def customer_says(at: datetime, body: str) -> None:
        thread.messages.append(Message(author_type=AuthorType.CUSTOMER, body=body, created_at=at))
        thread.events.append(
            (at, EventKind.MESSAGE_ADDED, None, None, {"message_index": len(thread.messages) - 1})
        )

    def agent_says(at: datetime, agent: Agent, body: str) -> None:
        thread.messages.append(
            Message(author_type=AuthorType.AGENT, author_agent=agent, body=body, created_at=at)
        )
        thread.events.append(
            (at, EventKind.MESSAGE_ADDED, agent, agent, {"message_index": len(thread.messages) - 1})
        )

    def status_to(at: datetime, actor: Agent | None, to: str, reason: str = "") -> None:
        data: dict[str, Any] = {"from": thread.ticket.status, "to": to}
        if reason:
            data["reason"] = reason
        thread.events.append((at, EventKind.STATUS_CHANGED, actor, actor, data))
        thread.ticket.status = to

    def status_ends(at: datetime, to: str, reason: str = "", *, by_holder: bool = True) -> None:
        data: dict[str, Any] = {"from": thread.ticket.status, "to": to}
        if reason:
            data["reason"] = reason
        thread.ending.append((at, data, by_holder))
        thread.ticket.status = to

    thread.events.append(
        (
            created_at,
            EventKind.TICKET_CREATED,
            None,
            None,
            {"priority": priority, "queue": queue.pk, "tags": sorted(tags)},
        )
    )
    lines = THREAD_LINES["refund" if is_refund else TOPIC_BY_QUEUE[queue.name]]
    if german:
        lines = THREAD_LINES_GERMAN
    angry, refund_asks, thanks = (
        (ANGRY_GERMAN, REFUND_ASKS_GERMAN, CUSTOMER_THANKS_GERMAN)
        if german
        else (ANGRY, REFUND_ASKS, CUSTOMER_THANKS)
    )
    customer_says(created_at, _fill(rng.choice(lines.openers), **values))

    # Young tickets are often still untouched; older ones have been worked.
    if age_days < 0.2 or (age_days < 2 and rng.random() < 0.3):
        thread.ticket.updated_at = created_at
        return thread

    lead = agents[0]
    assigned_at = created_at + timedelta(minutes=rng.randrange(2, 90))
    assignee = router.pick(rng, agents[1:], assigned_at) if rng.random() < 0.9 else lead
    thread.events.append(
        (
            assigned_at,
            EventKind.ASSIGNED,
            lead,
            assignee,
            {"from": None, "to": assignee.pk, "reason": "manual"},
        )
    )
    thread.ticket.assignee = assignee

    response_minutes = RESPONSE_MINUTES[priority]
    at = assigned_at + timedelta(minutes=rng.randrange(*response_minutes))
    if at > now:
        thread.ticket.updated_at = assigned_at
        return thread
    agent_says(at, assignee, _fill(rng.choice(lines.agent_first), **values))
    thread.events[-1][4]["first_response"] = True
    thread.ticket.first_response_at = at
    status_to(at, assignee, Status.OPEN, "message")

    if is_refund:
        amount = Decimal(rng.choice((29, 49, 99, 120, 240, 480, 600, 750, 1200, 2400))) + Decimal(
            rng.choice(("0.00", "0.50", "0.99"))
        )
        currency = rng.choice(REFUND_CURRENCIES)
        asked_at = at + timedelta(hours=rng.uniform(0.5, 20))
        ask = _fill(rng.choice(refund_asks), amount=amount, currency=currency)
        at = asked_at + timedelta(minutes=rng.randrange(10, 240))
        # On a young ticket the ask or the request may not have happened yet: what would lie
        # after now is left out (and nothing follows it), with the same draws.
        if asked_at <= now:
            customer_says(asked_at, ask)
        if at <= now:
            thread.refund = RefundRequest(
                amount=amount,
                currency=currency,
                reason="Customer request: " + subject,
                requested_by=assignee,
                created_at=at,
            )
            thread.events.append(
                (
                    at,
                    EventKind.REFUND_REQUESTED,
                    assignee,
                    assignee,
                    {"amount": str(amount), "currency": currency},
                )
            )

    rounds = rng.choice((0, 1, 1, 2, 2, 3))
    said: set[str] = set()
    for round_number in range(rounds):
        at += timedelta(hours=rng.uniform(1, 30))
        if at > now:
            break
        angry_now = is_angry and round_number == rounds - 1
        if angry_now:
            customer_says(at, _fill(rng.choice(angry), **values))
        else:
            customer_says(at, _line_unsaid(rng, lines.customer_followups, said))
        if thread.ticket.status == Status.PENDING:
            status_to(at, None, Status.OPEN, "message")
        at += timedelta(minutes=rng.randrange(10, 600))
        if at > now:
            break
        reply = _line_unsaid(rng, lines.agent_followups, said)
        if angry_now:
            # Drawn all the same, so that every later draw stays what it was.
            reply = AGENT_AFTER_ANGER_GERMAN if german else AGENT_AFTER_ANGER
        agent_says(at, assignee, _fill(reply, **values))
        if rng.random() < 0.4:
            status_to(at, assignee, Status.PENDING)

    # How it ends depends on its age: most old tickets are solved and then closed.
    at += timedelta(hours=rng.uniform(1, 48))
    done_share = min(0.95, age_days / 20)
    if at < now and rng.random() < done_share:
        if rng.random() < 0.6:
            customer_says(at, rng.choice(thanks))
            at += timedelta(minutes=rng.randrange(5, 120))
        if at < now:
            status_ends(at, Status.SOLVED)
            thread.ticket.solved_at = at
            closed_at = at + timedelta(days=4)
            if closed_at < now:
                status_ends(closed_at, Status.CLOSED, "auto-close after 4 days", by_holder=False)
                at = closed_at
    elif at < now and thread.ticket.status == Status.OPEN and rng.random() < 0.15:
        status_ends(at, Status.ON_HOLD)
    last = max([e[0] for e in thread.events] + [e[0] for e in thread.ending])
    thread.ticket.updated_at = min(last, now)
    return thread


def _demo_tickets_create(
    result: DemoSeedResult,
    rng: random.Random,
    *,
    count: int,
    now: datetime,
    customers: list[Customer],
    structure: dict[str, Any],
    progress_stream: TextIO | None,
) -> list[_Ending]:
    """Insert the tickets and their history up to how each ends; return those endings, to be
    recorded (``_demo_endings_record``) once the escalations are seeded."""
    teams: list[Team] = structure["teams"]
    queues: dict[int, list[Queue]] = structure["queues"]
    agents: dict[int, list[Agent]] = structure["agents"]
    # Bigger customers write more often.
    customer_weights = [
        {Tier.FREE: 1, Tier.STANDARD: 2, Tier.PREMIUM: 3, Tier.ENTERPRISE: 5}[Tier(c.tier)]
        for c in customers
    ]
    team_weights = [45, 35, 20]

    threads: list[_Thread] = []
    routers = {team.pk: _Router() for team in teams}
    build = ProgressLine(progress_stream, "Building", count)
    for number in range(count):
        team = rng.choices(teams, weights=team_weights[: len(teams)])[0]
        team_queues = queues[team.pk]
        queue = team_queues[2] if rng.random() < 0.15 else rng.choice(team_queues[:2])
        customer = rng.choices(customers, weights=customer_weights)[0]
        threads.append(
            _demo_thread_build(
                rng,
                now=now,
                customer=customer,
                team=team,
                queue=queue,
                agents=agents[team.pk],
                router=routers[team.pk],
            )
        )
        build.update(number + 1)

    # Sentiment of customer messages, as the live path would have scored them.
    for thread in threads:
        for message in thread.messages:
            if message.author_type == AuthorType.CUSTOMER:
                score = sentiment_score_message(message.body)
                message.sentiment = score.label
                message.sentiment_score = score.compound
                message.sentiment_reasons = list(score.reasons)
                message.sentiment_language = score.language
                if score.label != Sentiment.UNSCORED:
                    thread.ticket.customer_sentiment = score.label

    # Insert in creation order, so ids grow with time like a real history.
    threads.sort(key=lambda t: t.ticket.created_at)
    tickets = [t.ticket for t in threads]
    with _explicit_timestamps(_field(Ticket, "created_at"), _field(Ticket, "updated_at")):
        _bulk_create(Ticket, tickets, ProgressLine(progress_stream, "Tickets", len(tickets)))
    if any(t.pk is None for t in tickets):
        # Backends that cannot return ids from a bulk insert: read them back in insert order.
        ids = list(
            Ticket.objects.filter(customer__in=customers)
            .order_by("id")
            .values_list("id", flat=True)
        )
        for ticket, pk in zip(tickets, ids, strict=True):
            ticket.pk = pk

    tag_names = sorted({name for t in threads for name in t.tags})
    Tag.objects.bulk_create([Tag(name=n) for n in tag_names], ignore_conflicts=True)
    tag_ids = dict(Tag.objects.filter(name__in=tag_names).values_list("name", "id"))
    through = Ticket.tags.through
    _bulk_create(
        through,
        [through(ticket_id=t.ticket.pk, tag_id=tag_ids[name]) for t in threads for name in t.tags],
    )

    for thread in threads:
        for message in thread.messages:
            message.ticket = thread.ticket
        if thread.refund is not None:
            thread.refund.ticket = thread.ticket
    messages = sorted(
        (m for t in threads for m in t.messages), key=lambda m: (m.created_at, m.ticket.pk)
    )
    with _explicit_timestamps(_field(Message, "created_at")):
        _bulk_create(Message, messages, ProgressLine(progress_stream, "Messages", len(messages)))
    if any(m.pk is None for m in messages):
        ids = list(
            Message.objects.filter(ticket__in=tickets).order_by("id").values_list("id", flat=True)
        )
        for message, pk in zip(messages, ids, strict=True):
            message.pk = pk
    ticket_search_documents_rebuild(ticket_ids=[t.pk for t in tickets])

    refunds = [t.refund for t in threads if t.refund is not None]
    with _explicit_timestamps(_field(RefundRequest, "created_at")):
        _bulk_create(RefundRequest, refunds)
    refund_ids = {r.ticket.pk: r.pk for r in refunds}

    events: list[TicketEvent] = []
    for thread in threads:
        previous_sentiment = "unknown"
        for at, kind, actor, assignee, data in thread.events:
            data = dict(data)
            if kind == EventKind.MESSAGE_ADDED:
                message = thread.messages[data.pop("message_index")]
                data.update(
                    {
                        "message": message.pk,
                        "author_type": message.author_type,
                        "sentiment": message.sentiment,
                        "sentiment_score": message.sentiment_score,
                        "previous_sentiment": previous_sentiment,
                        "first_response": data.get("first_response", False),
                    }
                )
                if message.author_type == AuthorType.CUSTOMER:
                    previous_sentiment = message.sentiment
            elif kind == EventKind.REFUND_REQUESTED:
                data["refund"] = refund_ids.get(thread.ticket.pk)
            # The assignee column is who held the ticket at the time.
            holder = assignee if assignee is not None else _holder_at(thread, at)
            events.append(
                TicketEvent(
                    ticket=thread.ticket,
                    kind=kind,
                    actor=actor,
                    assignee=holder,
                    data=data,
                    created_at=at,
                )
            )
    events.sort(key=lambda e: (e.created_at, e.ticket.pk))
    with _explicit_timestamps(_field(TicketEvent, "created_at")):
        _bulk_create(TicketEvent, events, ProgressLine(progress_stream, "Events", len(events)))

    result.created.update(
        {
            "tickets": len(tickets),
            "messages": len(messages),
            "refund_requests": len(refunds),
            "events": len(events),
        }
    )
    return [
        _Ending(ticket_id=thread.ticket.pk, at=at, data=data, by_holder=by_holder)
        for thread in threads
        for at, data, by_holder in thread.ending
    ]


def _holder_at(thread: _Thread, at: datetime) -> Agent | None:
    for when, kind, _, assignee, _ in thread.events:
        if kind == EventKind.ASSIGNED and when <= at:
            return assignee
    return None


# --- Escalations and receivers' feedback ----------------------------------------------------------
# Per rule, at most this many of the escalations its backtest finds in the history are made.
DEMO_ESCALATIONS_PER_RULE = 15
DEMO_MANUAL_PER_JUNIOR = 3
DEMO_FEEDBACK_SHARE = 0.75
# What receivers said, per trigger kind: (needed, reason) -> weight.
_NEEDED = FeedbackReason.NEEDED_AUTHORITY.value
DEMO_VERDICTS: dict[str, dict[tuple[bool, str], int]] = {
    "sentiment_negative": {
        (True, _NEEDED): 50,
        (True, ""): 5,
        (False, FeedbackReason.CUSTOMER_NOT_UPSET.value): 30,
        (False, FeedbackReason.FIRST_LEVEL.value): 15,
    },
    "refund_threshold": {(True, _NEEDED): 85, (False, FeedbackReason.FIRST_LEVEL.value): 15},
    "manual": {
        (True, _NEEDED): 45,
        (False, FeedbackReason.FIRST_LEVEL.value): 40,
        (False, FeedbackReason.WRONG_TEAM.value): 10,
        (False, FeedbackReason.DUPLICATE.value): 5,
    },
}
DEMO_COMMENTS = {
    FeedbackReason.CUSTOMER_NOT_UPSET.value: "Customer was asking a question, not upset.",
    FeedbackReason.FIRST_LEVEL.value: "Covered by the help-centre article; worth a walkthrough.",
    FeedbackReason.WRONG_TEAM.value: "This belongs to Technical.",
}
DEMO_HANDOFF = (
    "Checked the account and the last invoices",
    "Looks like a billing exception outside the usual policy",
    "An exception or refund above my limit",
)


def _demo_feedback(
    rng: random.Random,
    escalation: Escalation,
    verdicts: Mapping[tuple[bool, str], int],
    *,
    now: datetime,
) -> EscalationFeedback:
    """The receiver's verdict on ``escalation``, drawn from ``verdicts`` (weights), given 1-20 h
    after it."""
    needed, reason = rng.choices(list(verdicts), weights=list(verdicts.values()))[0]
    at = min(escalation.created_at + timedelta(hours=rng.randint(1, 20)), now)
    return EscalationFeedback(
        escalation=escalation,
        needed=needed,
        reason=reason,
        comment=DEMO_COMMENTS.get(reason, ""),
        author=escalation.to_agent,
        created_at=at,
        updated_at=at,
    )


def _demo_feedback_create(rows: list[EscalationFeedback]) -> None:
    with _explicit_timestamps(
        _field(EscalationFeedback, "created_at"), _field(EscalationFeedback, "updated_at")
    ):
        _bulk_create(EscalationFeedback, rows)


def _demo_decisions_ensure(result: DemoSeedResult, rng: random.Random, *, now: datetime) -> None:
    """Escalations from the demo history (what each enabled rule's backtest finds, a sample), a
    few manual ones by juniors, and receivers' feedback on most of them, so rule health and the
    coaching pages show figures on first start. Only when no demo ticket has an escalation yet."""
    demo_tickets = Ticket.objects.filter(customer__external_id__startswith=DEMO_CUSTOMER_PREFIX)
    if not demo_tickets.exists() or Escalation.objects.filter(ticket__in=demo_tickets).exists():
        return
    tickets = {t.pk: t for t in demo_tickets.select_related("queue__team__lead", "assignee")}
    seniors: dict[int, list[Agent]] = defaultdict(list)
    for agent in Agent.objects.filter(role=Role.SENIOR, team__isnull=False).order_by("pk"):
        seniors[agent.team_id].append(agent)  # type: ignore[index]
    rows: list[Escalation] = []
    held_since = demo_held_since(demo_tickets)
    rules = Rule.objects.filter(kind=RuleKind.ESCALATION, enabled=True).select_related("team__lead")
    for rule in rules.order_by("order", "pk"):
        hits = [
            h
            for h in backtest_run(rule=rule, days=91, now=now).hits
            if h.ticket_id in tickets and h.at >= held_since.get(h.ticket_id, h.at)
        ]
        for hit in sorted(
            rng.sample(hits, min(len(hits), DEMO_ESCALATIONS_PER_RULE)), key=lambda h: h.at
        ):
            ticket = tickets[hit.ticket_id]
            team = ticket.queue.team if ticket.queue else None
            receiver = team.lead if team and _demo_targets_lead(rule) else None
            if receiver is not None and receiver.pk == ticket.assignee_id:
                continue
            if receiver is None and team is not None:
                receiver = demo_receiver(rng, seniors[team.pk], holder_id=ticket.assignee_id)
            rows.append(
                Escalation(
                    ticket=ticket,
                    trigger=hit.trigger,
                    rule=rule,
                    rule_name=rule.name,
                    occurrence=hit.occurrence,
                    from_agent=ticket.assignee,
                    to_agent=receiver,
                    from_queue=ticket.queue,
                    target=rule.target,
                    evidence=hit.evidence,
                    created_at=hit.at,
                    acknowledged_at=hit.at + timedelta(minutes=rng.randint(3, 40)),
                    acknowledged_by=receiver,
                )
            )
    held = defaultdict(list)
    for ticket in tickets.values():
        if ticket.assignee is not None and ticket.assignee.role == Role.JUNIOR:
            held[ticket.assignee].append(ticket)
    for junior in sorted(held, key=lambda a: a.pk):
        for ticket in rng.sample(held[junior], min(len(held[junior]), DEMO_MANUAL_PER_JUNIOR)):
            at = demo_after_handover(
                ticket.created_at + timedelta(hours=rng.randint(1, 6)),
                held_since.get(ticket.pk),
                rng=rng,
                now=now,
            )
            lead = ticket.queue.team.lead if ticket.queue and ticket.queue.team else None
            rows.append(
                Escalation(
                    ticket=ticket,
                    trigger="manual",
                    occurrence=f"demo-manual:{ticket.pk}",
                    initiated_by=junior,
                    from_agent=junior,
                    to_agent=lead,
                    from_queue=ticket.queue,
                    handoff_tried=DEMO_HANDOFF[0],
                    handoff_diagnosis=DEMO_HANDOFF[1],
                    handoff_authority_needed=DEMO_HANDOFF[2],
                    created_at=at,
                    acknowledged_at=min(at + timedelta(minutes=rng.randint(3, 40)), now),
                    acknowledged_by=lead,
                )
            )
    with _explicit_timestamps(_field(Escalation, "created_at")):
        _bulk_create(Escalation, rows)
    made = {
        (e.ticket_id, e.occurrence): e
        for e in Escalation.objects.filter(ticket__in=demo_tickets).select_related("to_agent")
    }
    feedback = []
    for key in sorted(made, key=lambda k: (made[k].created_at, made[k].pk)):
        escalation = made[key]
        if escalation.to_agent is None or rng.random() >= DEMO_FEEDBACK_SHARE:
            continue
        weights = DEMO_VERDICTS.get(escalation.trigger, DEMO_VERDICTS["manual"])
        feedback.append(_demo_feedback(rng, escalation, weights, now=now))
    _demo_feedback_create(feedback)
    per_ticket: dict[int, int] = defaultdict(int)
    for ticket_id, _ in made:
        per_ticket[ticket_id] += 1
    for ticket_id, count in per_ticket.items():
        Ticket.objects.filter(pk=ticket_id).update(escalation_count=count)
    result.created.update({"escalations": len(rows), "escalation_feedback": len(feedback)})


# --- A 90-day escalation story -------------------------------------------------------------------
# What the reports and rule health tell on first start, besides the everyday escalations above:
# a junior who escalated by hand far too often until their lead coached them; a refund rule that
# fired on every refund above 100 until its threshold was raised to 500; and receivers who gave
# feedback on fewer than half of the escalations at first and on nearly all of them by the end.
DEMO_STORY_PREFIX = "demo-story:"
DEMO_STORY_JUNIOR = "billing-junior1"
DEMO_STORY_COACHED_DAYS_AGO = 45
DEMO_STORY_ESCALATE_SHARE = (0.6, 0.1)  # the junior's held tickets escalated: before, after
DEMO_STORY_RULE = "Billing: large refunds to refund specialists"
DEMO_STORY_EAGER_AMOUNT = Decimal("100.00")
DEMO_STORY_RAISED_DAYS_AGO = 40
DEMO_STORY_FEEDBACK_SHARE = (0.35, 0.95)  # feedback given: 90 days ago, now (linear between)
DEMO_STORY_HANDOFFS = {
    "before": (
        ("Customer wants money back", "Not sure", "Can you take it?"),
        ("Looked at the invoice", "Probably billing", "Please check"),
        ("Replied once", "Don't know the policy", "Lead decision"),
    ),
    "after": (
        (
            "Checked the last three invoices and the payment log; resent the corrected PDF",
            "A plan change mid-cycle billed both plans for 12 days",
            "A credit above my 50 EUR limit",
        ),
        (
            "Walked the customer through the seat settings and confirmed the downgrade",
            "Seats were removed after the renewal ran, so the renewal kept the old count",
            "Approval for a pro-rata refund of the unused seats",
        ),
    ),
}
DEMO_STORY_VERDICTS = {
    "before": {(False, FeedbackReason.FIRST_LEVEL.value): 70, (True, _NEEDED): 30},
    "after": {(True, _NEEDED): 85, (False, FeedbackReason.FIRST_LEVEL.value): 15},
    "eager": {(False, FeedbackReason.FIRST_LEVEL.value): 75, (True, _NEEDED): 25},
}


def _demo_tickets_unless_seeded(**escalations: Any) -> models.QuerySet[Ticket] | None:
    """The demo's tickets, or None when there are none or a part of the story (the escalations
    on them matching ``escalations``) is already seeded: each part is seeded once."""
    demo_tickets = Ticket.objects.filter(customer__external_id__startswith=DEMO_CUSTOMER_PREFIX)
    if (
        not demo_tickets.exists()
        or Escalation.objects.filter(ticket__in=demo_tickets, **escalations).exists()
    ):
        return None
    return demo_tickets


def _demo_story_ensure(result: DemoSeedResult, rng: random.Random, *, now: datetime) -> None:
    """Seed the story's escalations, feedback and the audited threshold raise, once (when no
    story escalation exists yet)."""
    demo_tickets = _demo_tickets_unless_seeded(occurrence__startswith=DEMO_STORY_PREFIX)
    if demo_tickets is None:
        return
    rows = _demo_story_coaching(rng, now=now, tickets=demo_tickets)
    rows += _demo_story_eager_rule(rng, now=now, tickets=demo_tickets)
    with _explicit_timestamps(_field(Escalation, "created_at")):
        _bulk_create(Escalation, rows)
    feedback = []
    # Feedback is given to a share of the escalations that grows over the 90 days; spread by
    # carrying the fraction over (not drawn at random), newest first and rounding up, so the few
    # escalations of the last weeks show the high share of the end (a late escalation's share
    # is near 1, so each of them but the odd one gets feedback).
    owed = 0.99
    for escalation in sorted(rows, key=lambda e: (e.created_at, e.occurrence), reverse=True):
        if escalation.to_agent is None:
            continue
        days_ago = (now - escalation.created_at).total_seconds() / 86400
        early, late = DEMO_STORY_FEEDBACK_SHARE
        owed += late - (late - early) * min(days_ago, HISTORY_DAYS) / HISTORY_DAYS
        if owed < 1:
            continue
        owed -= 1
        verdicts = DEMO_STORY_VERDICTS[_demo_story_chapter(escalation, now=now)]
        feedback.append(_demo_feedback(rng, escalation, verdicts, now=now))
    _demo_feedback_create(feedback)
    _escalation_counts_refresh({e.ticket_id for e in rows})
    _demo_story_threshold_raise(now=now)
    result.created.update(
        {"story_escalations": len(rows), "story_escalation_feedback": len(feedback)}
    )


def _escalation_counts_refresh(ticket_ids: set[int]) -> None:
    """Set each ticket's ``escalation_count`` to its escalations (bulk creation bypasses it)."""
    counts = (
        Escalation.objects.filter(ticket_id=models.OuterRef("pk"))
        .values("ticket_id")
        .annotate(n=models.Count("pk"))
        .values("n")
    )
    Ticket.objects.filter(pk__in=ticket_ids).update(escalation_count=models.Subquery(counts))


def _demo_story_chapter(escalation: Escalation, *, now: datetime) -> str:
    if escalation.occurrence.startswith(f"{DEMO_STORY_PREFIX}refund:"):
        return "eager"
    coached = now - timedelta(days=DEMO_STORY_COACHED_DAYS_AGO)
    return "before" if escalation.created_at < coached else "after"


def _demo_story_coaching(
    rng: random.Random, *, now: datetime, tickets: models.QuerySet[Ticket]
) -> list[Escalation]:
    """The junior escalates most of what they hold until coached, then only what needs it; their
    handoffs go from a few words to what the receiver needs."""
    junior = Agent.objects.filter(username=DEMO_STORY_JUNIOR).select_related("team__lead").first()
    if junior is None or junior.team is None:
        return []
    lead = junior.team.lead
    coached = now - timedelta(days=DEMO_STORY_COACHED_DAYS_AGO)
    already = set(
        Escalation.objects.filter(ticket__in=tickets, trigger="manual").values_list(
            "ticket_id", flat=True
        )
    )
    rows = []
    held = tickets.filter(assignee=junior).select_related("queue").order_by("created_at", "pk")
    held_since = demo_held_since(held)
    for ticket in held:
        if ticket.pk in already:
            continue
        chapter = "before" if ticket.created_at < coached else "after"
        share = DEMO_STORY_ESCALATE_SHARE[0 if chapter == "before" else 1]
        if rng.random() >= share:
            continue
        at = demo_after_handover(
            ticket.created_at + timedelta(hours=rng.randint(1, 6)),
            held_since.get(ticket.pk),
            rng=rng,
            now=now,
        )
        tried, diagnosis, authority = rng.choice(DEMO_STORY_HANDOFFS[chapter])
        rows.append(
            Escalation(
                ticket=ticket,
                trigger="manual",
                occurrence=f"{DEMO_STORY_PREFIX}coaching:{ticket.pk}",
                initiated_by=junior,
                from_agent=junior,
                to_agent=lead,
                from_queue=ticket.queue,
                handoff_tried=tried,
                handoff_diagnosis=diagnosis,
                handoff_authority_needed=authority,
                created_at=at,
                acknowledged_at=min(at + timedelta(minutes=rng.randint(3, 40)), now),
                acknowledged_by=lead,
            )
        )
    return rows


def _demo_story_eager_rule(
    rng: random.Random, *, now: datetime, tickets: models.QuerySet[Ticket]
) -> list[Escalation]:
    """Before its threshold was raised, the refund rule fired on refunds from 100 up; those under
    today's 500 are the escalations it no longer makes. Refunds in another currency are compared
    through the demo's exchange rates, as the rule compares them, with the conversion in the
    evidence."""
    rule = Rule.objects.filter(name=DEMO_STORY_RULE).select_related("team", "target").first()
    if rule is None or rule.team is None:
        return []
    raised = now - timedelta(days=DEMO_STORY_RAISED_DAYS_AGO)
    current = Decimal(str(rule.trigger_params.get("amount", "500.00")))
    currency = rule.trigger_params.get("currency", rule.team.default_currency)
    specialists = list(Agent.objects.filter(team=rule.team, role=Role.SENIOR).order_by("pk"))
    if not specialists:
        return []
    refunds = (
        RefundRequest.objects.filter(
            ticket__in=tickets, ticket__queue__team=rule.team, created_at__lt=raised
        )
        .select_related("ticket__queue", "ticket__assignee")
        .order_by("created_at", "pk")
    )
    rates = exchange_rate_facts(team_ids=[rule.team_id])
    held_since = demo_held_since(tickets)
    rows = []
    for refund in refunds:
        conversion = None
        compared = refund.amount
        if refund.currency != currency:
            conversion = amount_convert(
                amount=refund.amount,
                currency=refund.currency,
                to_currency=currency,
                rates=rates,
                on=rate_day(refund.created_at),
            )
            if conversion is None:
                continue
            compared = conversion.converted
        if not DEMO_STORY_EAGER_AMOUNT <= compared < current:
            continue
        evidence: dict[str, Any] = {
            "refund": refund.pk,
            "amount": str(refund.amount),
            "currency": refund.currency,
            "threshold": str(DEMO_STORY_EAGER_AMOUNT),
            "threshold_currency": currency,
        }
        if conversion is not None:
            evidence["conversion"] = conversion.evidence()
        receiver = demo_receiver(rng, specialists, holder_id=refund.ticket.assignee_id)
        if receiver is None:
            continue
        at = demo_after_handover(
            refund.created_at + timedelta(seconds=rng.randint(20, 90)),
            held_since.get(refund.ticket_id),
            rng=rng,
            now=now,
        )
        rows.append(
            Escalation(
                ticket=refund.ticket,
                trigger="refund_threshold",
                rule=rule,
                rule_name=rule.name,
                occurrence=f"{DEMO_STORY_PREFIX}refund:{refund.pk}",
                from_agent=refund.ticket.assignee,
                to_agent=receiver,
                from_queue=refund.ticket.queue,
                target=rule.target,
                evidence=evidence,
                created_at=at,
                acknowledged_at=min(at + timedelta(minutes=rng.randint(3, 40)), now),
                acknowledged_by=receiver,
            )
        )
    return rows


def _demo_story_threshold_raise(*, now: datetime) -> None:
    """The console's history of the rule shows when its lead raised the threshold."""
    rule = Rule.objects.filter(name=DEMO_STORY_RULE).select_related("team__lead").first()
    if rule is None:
        return
    after = audit_snapshot(rule)
    before = {
        **after,
        "trigger_params": {**rule.trigger_params, "amount": str(DEMO_STORY_EAGER_AMOUNT)},
    }
    lead = rule.team.lead if rule.team else None
    event = AuditEvent(
        kind="rule.updated",
        actor=lead,
        actor_label=str(lead) if lead else "system",
        object_type=rule._meta.label_lower,
        object_id=str(rule.pk),
        object_repr=str(rule)[:200],
        before=before,
        after=after,
        data={"demo": "The rule fired on most refunds; receivers judged them first-level."},
        created_at=now - timedelta(days=DEMO_STORY_RAISED_DAYS_AGO),
    )
    with _explicit_timestamps(_field(AuditEvent, "created_at")):
        _bulk_create(AuditEvent, [event])


# --- Every trigger kind, acknowledgement, ping-pong, the audit trail ------------------------------
# The history has no SLA, tier or tag events; these escalations come with the events that caused
# them, their evidence shaped as each trigger writes it. An SLA rule's event is a crossing the
# ticket's own history made (replayed as the live clocks would have run), so the escalation, the
# timeline and the clock's ledger tell the same story. The latest ones are not acknowledged yet.
DEMO_ENGINE_KINDS = ("frt_amber", "sla_breach", "tier_upgrade", "escalate_tag")
DEMO_ENGINE_PER_RULE = 4
DEMO_UNACKNOWLEDGED_HOURS = (2, 30)  # the newest escalation of each such rule: hours before now
# The newest escalation of a rule still waits for its receiver when it is this recent (an SLA
# rule's newest is its newest crossing, which may be older: then it was acknowledged).
DEMO_WAITS_AT_MOST = timedelta(days=3)
DEMO_PING_PONG_OCCURRENCE = "demo-ping-pong:"
DEMO_PING_PONG_GAP = timedelta(hours=1)  # between the two breaches: the hand-back fits in it


def _demo_engine_event(
    ticket: Ticket, trigger: str, at: datetime, crossing: ReplayedCrossing | None
) -> tuple[TicketEvent, Any]:
    """The ticket event ``trigger`` reacts to (for an SLA trigger, the ``crossing`` the ticket's
    history made, recorded when the sweeper notices it), and a function of the stored event giving
    the (occurrence, evidence) the trigger's ``evaluate`` writes for it."""
    if crossing is not None:
        data: dict[str, Any] = {"metric": crossing.metric, "from": crossing.frm, "to": crossing.to}
        event = TicketEvent(
            ticket=ticket, kind=EventKind.SLA_STATE_CHANGED, data=data, created_at=at
        )
        return event, lambda e: (f"sla:{e.pk}", dict(data))
    if trigger == "tier_upgrade":
        frm, to = Tier.STANDARD, Tier.PREMIUM
        data = {"from": frm, "to": to, "upgrade": True}
        event = TicketEvent(ticket=ticket, kind=EventKind.TIER_CHANGED, data=data, created_at=at)
        return event, lambda e: (f"tier:{e.pk}", {"from": frm, "to": to})
    data = {"added": [ESCALATE_TAG], "removed": []}
    event = TicketEvent(
        ticket=ticket, kind=EventKind.TAGS_CHANGED, actor=ticket.assignee, data=data, created_at=at
    )
    return event, lambda e: (f"event:{e.pk}", {"tag": ESCALATE_TAG})


def _demo_crossings(
    tickets: list[Ticket],
    *,
    now: datetime,
    held_since: Mapping[int, datetime],
    ended: Mapping[int, datetime],
) -> list[ReplayedCrossing]:
    """The crossings of the tickets' histories that an escalation from their holder can rest on:
    noticed while the holder held the ticket, and before it ended (endings are recorded after the
    escalations, so the replay does not see them yet)."""
    kept = []
    for crossing in sla_crossings_replayed(ticket_ids=[t.pk for t in tickets], now=now):
        since, end = held_since.get(crossing.ticket_id), ended.get(crossing.ticket_id)
        if (since is None or crossing.noticed_at > since) and (
            end is None or crossing.noticed_at < end
        ):
            kept.append(crossing)
    return kept


def _demo_first_crossings(
    crossings: list[ReplayedCrossing], trigger: SLAStateTrigger
) -> dict[int, ReplayedCrossing]:
    """Per ticket, the first of ``crossings`` that ``trigger`` fires on."""
    found: dict[int, ReplayedCrossing] = {}
    for crossing in crossings:
        if crossing.to == trigger.to_state and trigger.metric in (None, crossing.metric):
            found.setdefault(crossing.ticket_id, crossing)
    return found


def _demo_engine_receiver(rng: random.Random, rule: Rule, ticket: Ticket) -> Agent | None:
    team = ticket.queue.team if ticket.queue else None
    if team is None:
        return None
    if _demo_targets_lead(rule):
        return team.lead
    seniors = list(Agent.objects.filter(team=team, role=Role.SENIOR).order_by("pk"))
    receiver = demo_receiver(rng, seniors, holder_id=ticket.assignee_id)
    if receiver is None and team.lead_id != ticket.assignee_id:
        return team.lead
    return receiver


def _demo_targets_lead(rule: Rule) -> bool:
    return rule.target is not None and rule.target.kind == TargetKind.TEAM_LEAD


def _demo_engine_story_ensure(
    result: DemoSeedResult, rng: random.Random, *, now: datetime, endings: Sequence[_Ending]
) -> None:
    """Escalations by every rule trigger kind the history lacks, the newest not yet acknowledged,
    and a ping-pong: bumped one level up once, refused (suppressed) the next time. Once (when no
    demo ticket has an escalation by these kinds yet)."""
    demo_tickets = _demo_tickets_unless_seeded(trigger__in=DEMO_ENGINE_KINDS)
    if demo_tickets is None:
        return
    rules = (
        Rule.objects.filter(
            kind=RuleKind.ESCALATION, enabled=True, trigger_kind__in=DEMO_ENGINE_KINDS
        )
        .select_related("team__lead", "target")
        .order_by("order", "pk")
    )
    planned: list[tuple[Rule, Ticket, datetime, bool]] = []
    held_since = demo_held_since(demo_tickets)
    ended: dict[int, datetime] = {}
    for ending in endings:
        ended[ending.ticket_id] = min(ending.at, ended.get(ending.ticket_id, ending.at))
    used: set[int] = set()
    crossings: dict[int, ReplayedCrossing] = {}
    waits_since = now - DEMO_WAITS_AT_MOST
    for rule in rules:
        # Tickets no other escalation touched, that the rule applies to (its conditions on the
        # ticket as it stands), held by someone the rule's target is not.
        held = demo_tickets.filter(
            queue__team=rule.team, assignee__isnull=False, escalations__isnull=True
        ).exclude(pk__in=used)
        if _demo_targets_lead(rule) and rule.team is not None:
            held = held.exclude(assignee_id=rule.team.lead_id)
        pool = [
            ticket
            for ticket in ticket_context_queryset()
            .filter(pk__in=held.values("pk"))
            .select_related("queue__team__lead", "assignee")
            .order_by("created_at", "pk")
            if rule_matches(rule=rule, ctx=ticket_context_from(ticket))
        ]
        trigger = TRIGGERS.get(rule.trigger_kind)
        crossed: dict[int, ReplayedCrossing] = {}
        if isinstance(trigger, SLAStateTrigger):
            # An SLA rule fires where the ticket's own clock crossed, while its holder held it.
            crossed = _demo_first_crossings(
                _demo_crossings(pool, now=now, held_since=held_since, ended=ended), trigger
            )
            pool = sorted(
                (t for t in pool if t.pk in crossed), key=lambda t: crossed[t.pk].noticed_at
            )
        if not pool:
            continue
        # The newest open ticket (the engine escalates open tickets only) waits for its receiver.
        waiting = next((t for t in reversed(pool) if t.is_open), pool[-1])
        others = [t for t in pool if t.pk != waiting.pk]
        picks = sorted(
            rng.sample(others, min(len(others), DEMO_ENGINE_PER_RULE - 1)), key=lambda t: t.pk
        )

        def event_at(
            ticket: Ticket, at: datetime, crossed: Mapping[int, ReplayedCrossing]
        ) -> datetime:
            """An SLA rule's event is the crossing, when it was noticed; others follow ``at``,
            after the ticket reached its holder."""
            crossing = crossed.get(ticket.pk)
            if crossing is not None:
                return crossing.noticed_at
            return demo_after_handover(at, held_since.get(ticket.pk), rng=rng, now=now)

        for ticket in picks:
            at = ticket.created_at + timedelta(minutes=rng.randint(30, 480))
            planned.append((rule, ticket, event_at(ticket, at, crossed), True))
        at = max(now - timedelta(hours=rng.randint(*DEMO_UNACKNOWLEDGED_HOURS)), waiting.created_at)
        at = event_at(waiting, at, crossed)
        planned.append((rule, waiting, at, at < waits_since))
        used.update(t.pk for t in (*picks, waiting))
        crossings.update(crossed)
    events = []
    shapes = []
    for rule, ticket, at, _ in planned:
        event, shape = _demo_engine_event(ticket, rule.trigger_kind, at, crossings.get(ticket.pk))
        events.append(event)
        shapes.append(shape)
    with _explicit_timestamps(_field(TicketEvent, "created_at")):
        _bulk_create(TicketEvent, events)
    tagged = {e.ticket_id for e in events if e.kind == EventKind.TAGS_CHANGED}
    if tagged:
        tag, _ = Tag.objects.get_or_create(name=ESCALATE_TAG)
        through = Ticket.tags.through
        _bulk_create(
            through,
            [
                through(ticket_id=ticket_id, tag_id=tag.pk)
                for ticket_id in sorted(tagged - set(tag.tickets.values_list("pk", flat=True)))
            ],
        )
    rows = []
    for (rule, ticket, at, acknowledged), event, shape in zip(planned, events, shapes, strict=True):
        occurrence, evidence = shape(event)
        receiver = _demo_engine_receiver(rng, rule, ticket)
        fired = at + timedelta(seconds=rng.randint(5, 60))
        rows.append(
            Escalation(
                ticket=ticket,
                trigger=rule.trigger_kind,
                rule=rule,
                rule_name=rule.name,
                occurrence=occurrence,
                from_agent=ticket.assignee,
                to_agent=receiver,
                from_queue=ticket.queue,
                target=rule.target,
                evidence=evidence,
                route_notes=[],
                created_at=fired,
                acknowledged_at=(
                    min(fired + timedelta(minutes=rng.randint(3, 40)), now)
                    if acknowledged
                    else None
                ),
                acknowledged_by=receiver if acknowledged else None,
            )
        )
    rows += _demo_ping_pong(
        rng, now=now, tickets=demo_tickets, used=used, held_since=held_since, ended=ended
    )
    with _explicit_timestamps(_field(Escalation, "created_at")):
        _bulk_create(Escalation, rows)
    _escalation_counts_refresh({e.ticket_id for e in rows})
    result.created["engine_escalations"] = len(rows)


def _demo_breach_pairs(
    crossings: list[ReplayedCrossing],
) -> dict[int, tuple[ReplayedCrossing, ReplayedCrossing]]:
    """Per ticket, two breaches of ``crossings``, the second at least ``DEMO_PING_PONG_GAP``
    after the first (time for the hand-back between them)."""
    breaches: dict[int, list[ReplayedCrossing]] = defaultdict(list)
    for crossing in crossings:
        if crossing.to == ClockState.RED:
            breaches[crossing.ticket_id].append(crossing)
    pairs: dict[int, tuple[ReplayedCrossing, ReplayedCrossing]] = {}
    for ticket_id, found in breaches.items():
        later = (b for b in found[1:] if b.noticed_at - found[0].noticed_at >= DEMO_PING_PONG_GAP)
        second = next(later, None)
        if second is not None:
            pairs[ticket_id] = (found[0], second)
    return pairs


def _demo_ping_pong(
    rng: random.Random,
    *,
    now: datetime,
    tickets: models.QuerySet[Ticket],
    used: set[int],
    held_since: Mapping[int, datetime],
    ended: Mapping[int, datetime],
) -> list[Escalation]:
    """A breached SLA sends a junior's ticket to a specialist, who hands it back to the junior:
    the engine sends it one level up to the lead instead. When the next clock breaches, the
    specialists' rule would send it back again: refused as ping-pong (an ``escalation_suppressed``
    audit event, as the engine records it)."""
    rule = (
        Rule.objects.filter(kind=RuleKind.ESCALATION, trigger_kind="sla_breach")
        .select_related("team__lead", "target")
        .order_by("order", "pk")
        .first()
    )
    if rule is None or rule.team is None or rule.team.lead is None:
        return []
    lead = rule.team.lead
    specialist = Agent.objects.filter(team=rule.team, role=Role.SENIOR).order_by("pk").first()
    candidates = list(
        tickets.filter(queue__team=rule.team, assignee__role=Role.JUNIOR, status__in=OPEN_STATUSES)
        .exclude(pk__in=used)
        .select_related("queue", "assignee")
        .order_by("-created_at", "pk")
    )
    breaches = _demo_breach_pairs(
        _demo_crossings(candidates, now=now, held_since=held_since, ended=ended)
    )
    ticket = next((t for t in candidates if t.pk in breaches), None)
    if specialist is None or ticket is None or ticket.assignee is None:
        return []
    junior = ticket.assignee
    first_breach, second_breach = breaches[ticket.pk]
    breached_at, again_at = first_breach.noticed_at, second_breach.noticed_at
    events = [
        TicketEvent(
            ticket=ticket,
            kind=EventKind.SLA_STATE_CHANGED,
            data={"metric": breach.metric, "from": breach.frm, "to": breach.to},
            created_at=breach.noticed_at,
        )
        for breach in (first_breach, second_breach)
    ]
    with _explicit_timestamps(_field(TicketEvent, "created_at")):
        _bulk_create(TicketEvent, events)
    first, second = events
    handed = min(breached_at + timedelta(minutes=rng.randint(20, 50)), now)
    rows = [
        Escalation(
            ticket=ticket,
            trigger=rule.trigger_kind,
            rule=rule,
            rule_name=rule.name,
            occurrence=f"sla:{first.pk}",
            from_agent=junior,
            to_agent=specialist,
            from_queue=ticket.queue,
            target=rule.target,
            evidence=dict(first.data),
            route_notes=[],
            created_at=min(breached_at + timedelta(seconds=30), now),
            acknowledged_at=min(breached_at + timedelta(minutes=12), now),
            acknowledged_by=specialist,
        ),
        Escalation(
            ticket=ticket,
            trigger="manual",
            occurrence=f"{DEMO_PING_PONG_OCCURRENCE}{ticket.pk}",
            initiated_by=specialist,
            from_agent=specialist,
            to_agent=lead,
            from_queue=ticket.queue,
            chain_position=2,
            handoff_tried="Went through the invoice history with the customer",
            handoff_diagnosis="A routine plan question the first line can answer",
            handoff_authority_needed="Back to the first line",
            route_notes=[
                f"Ping-pong: {junior} already handed this ticket on; sent one level up to "
                f"{lead} instead."
            ],
            created_at=handed,
            acknowledged_at=min(handed + timedelta(minutes=rng.randint(3, 40)), now),
            acknowledged_by=lead,
        ),
    ]
    suppressed = AuditEvent(
        kind="escalation_suppressed",
        actor_label=f"rule: {rule.name}",
        ticket=ticket,
        object_type=rule._meta.label_lower,
        object_id=str(rule.pk),
        object_repr=str(rule)[:200],
        data={
            "rule": rule.pk,
            "trigger": rule.trigger_kind,
            "occurrence": f"sla:{second.pk}",
            "reason": (
                f"Ping-pong refused: {specialist} already handed this ticket on, and there is "
                "no level above to send it to."
            ),
            "code": "ping_pong",
        },
        created_at=min(again_at + timedelta(seconds=30), now),
    )
    with _explicit_timestamps(_field(AuditEvent, "created_at")):
        _bulk_create(AuditEvent, [suppressed])
    return rows


def _demo_escalation_audit_ensure(result: DemoSeedResult) -> None:
    """Each demo escalation's ``escalation_created`` audit row (and ``ticket_reassigned`` when it
    handed the ticket on), shaped as the engine writes them, at the escalation's time; only for
    escalations that have none yet."""
    kind = "escalation_created"
    label = Escalation._meta.label_lower
    audited = set(
        AuditEvent.objects.filter(kind=kind, object_type=label).values_list("object_id", flat=True)
    )
    escalations = (
        Escalation.objects.filter(ticket__customer__external_id__startswith=DEMO_CUSTOMER_PREFIX)
        .select_related("initiated_by", "ticket")
        .order_by("created_at", "pk")
    )
    rows = []
    for escalation in escalations:
        if str(escalation.pk) in audited:
            continue
        actor = escalation.initiated_by if escalation.trigger == "manual" else None
        actor_label = (
            str(actor)
            if actor is not None
            else (f"rule: {escalation.rule_name}" if escalation.rule_name else "system")
        )
        rows.append(
            AuditEvent(
                kind=kind,
                actor=actor,
                actor_label=actor_label,
                ticket=escalation.ticket,
                object_type=label,
                object_id=str(escalation.pk),
                object_repr=str(escalation)[:200],
                after=audit_snapshot(escalation),
                data={"trigger": escalation.trigger, "occurrence": escalation.occurrence},
                created_at=escalation.created_at,
            )
        )
        if escalation.to_agent_id is None and escalation.to_queue_id is None:
            continue
        ticket = escalation.ticket
        rows.append(
            AuditEvent(
                kind="ticket_reassigned",
                actor=actor,
                actor_label=actor_label,
                ticket=ticket,
                object_type=ticket._meta.label_lower,
                object_id=str(ticket.pk),
                object_repr=str(ticket)[:200],
                before={"assignee": escalation.from_agent_id, "queue": escalation.from_queue_id},
                after={
                    "assignee": escalation.to_agent_id,
                    "queue": escalation.to_queue_id or escalation.from_queue_id,
                },
                data={"reason": "escalation", "escalation": escalation.pk},
                created_at=escalation.created_at,
            )
        )
    with _explicit_timestamps(_field(AuditEvent, "created_at")):
        _bulk_create(AuditEvent, rows)
    result.created["escalation_audit_events"] = len(rows)


# --- Pinned summaries and the receivers' tickets ------------------------------------------------
# Every escalation the engine writes comes with a summary (``Escalation.summary``, the SLA clock at
# the time in ``sla_snapshot``) and the internal note it pins on the ticket; the demo's escalations
# are bulk-created, so they get theirs here, built by the engine's summary builder at each
# escalation's time. The latest escalation of a still-open ticket hands it to its receiver.
def _demo_sentence(escalation: Escalation) -> str:
    """What changed, in the words the trigger (or the manual escalation service) writes, from the
    stored evidence."""
    if escalation.trigger == "manual":
        return manual_escalation_sentence(actor=escalation.initiated_by, via_tag=False)
    if escalation.trigger in TRIGGERS:
        return TRIGGERS.get(escalation.trigger).sentence(escalation.evidence or {})
    return f"{escalation_trigger_label(escalation.trigger)}."


def _demo_sla_snapshot(escalation: Escalation) -> dict[str, Any]:
    """The SLA clock at the escalation's time, shaped as ``ticket_sla_snapshot``. The history
    keeps no clocks (open tickets get theirs once seeded), so only an SLA trigger's evidence tells
    the clock's state then; otherwise no clock is shown as running."""
    snapshot: dict[str, Any] = {
        "state": None,
        "first_response_due_at": None,
        "remaining_seconds": None,
        "metric": None,
        "due_at": None,
    }
    if escalation.trigger in ("frt_amber", "sla_breach"):
        evidence = escalation.evidence or {}
        snapshot.update(state=evidence.get("to"), metric=evidence.get("metric"))
    return snapshot


def _demo_notifies_only(escalation: Escalation) -> bool:
    """A Slack target notifies and leaves the ticket where it is."""
    return escalation.target is not None and escalation.target.kind == TargetKind.SLACK


def _demo_summary(
    escalation: Escalation,
    *,
    handoffs: Sequence[Escalation],
    customer_messages: Sequence[tuple[datetime, str]],
) -> EscalationSummary:
    """The summary the engine would have written: its own handoff, else the previous holder's
    latest earlier one, else the last customer message before the escalation."""
    previous = escalation.from_agent
    own = (
        Handoff(
            escalation.handoff_tried,
            escalation.handoff_diagnosis,
            escalation.handoff_authority_needed,
        )
        if escalation.initiated_by is not None and escalation.handoff_tried
        else None
    )
    request = EscalationRequest(
        ticket_id=escalation.ticket_id,
        trigger=escalation.trigger,
        occurrence=escalation.occurrence,
        sentence=_demo_sentence(escalation),
        evidence=escalation.evidence,
        rule=escalation.rule,
        actor=escalation.initiated_by,
        target=escalation.target,
        handoff=own,
    )
    handoff, author, last_excerpt = own, str(escalation.initiated_by), ""
    if handoff is None:
        key = (escalation.created_at, escalation.pk)
        earlier = [
            h
            for h in handoffs
            if previous is not None
            and h.from_agent_id == previous.pk
            and (h.created_at, h.pk) < key
        ]
        if earlier:
            latest = earlier[-1]
            handoff = Handoff(
                latest.handoff_tried, latest.handoff_diagnosis, latest.handoff_authority_needed
            )
            author = str(previous)
        else:
            author = str(previous) if previous is not None else "the previous holder"
            bodies = [body for at, body in customer_messages if at <= escalation.created_at]
            last_excerpt = excerpt(bodies[-1]) if bodies else ""
    resolution = Resolution(
        to_agent=escalation.to_agent,
        to_queue=escalation.to_queue,
        notes=list(escalation.route_notes or []),
        reassign=not _demo_notifies_only(escalation),
    )
    return escalation_summary_for(
        request=request,
        previous=previous,
        from_queue=escalation.from_queue,
        resolution=resolution,
        handoff=handoff,
        handoff_author=author,
        last_customer_excerpt=last_excerpt,
        sla=escalation.sla_snapshot,
    )


def _demo_escalation_summaries_ensure(
    result: DemoSeedResult, *, now: datetime, endings: Sequence[_Ending]
) -> None:
    """Each demo escalation without a summary note gets its summary and note, at its time; the
    latest note of each ticket is the pinned one. When a ticket's latest escalation is among them
    and came while the ticket was still running (before ``endings`` solve or close it), the
    ticket moves to its receiver with one ``escalated`` event carrying the change, as
    ``ticket_escalation_apply`` records it; a receiver who judged it first-level work hands it
    back."""
    demo = Escalation.objects.filter(ticket__customer__external_id__startswith=DEMO_CUSTOMER_PREFIX)
    missing = list(
        demo.filter(summary_note__isnull=True)
        .select_related(
            "ticket",
            "rule",
            "target",
            "initiated_by",
            "from_agent",
            "to_agent",
            "from_queue",
            "to_queue",
        )
        .order_by("created_at", "pk")
    )
    result.created["escalation_summaries"] = len(missing)
    if not missing:
        return
    ticket_ids = sorted({e.ticket_id for e in missing})
    handoffs: dict[int, list[Escalation]] = defaultdict(list)
    for row in (
        Escalation.objects.filter(ticket_id__in=ticket_ids)
        .exclude(handoff_tried="")
        .order_by("created_at", "pk")
    ):
        handoffs[row.ticket_id].append(row)
    customer_messages: dict[int, list[tuple[datetime, str]]] = defaultdict(list)
    for ticket_id, at, body in (
        Message.objects.filter(ticket_id__in=ticket_ids, author_type=AuthorType.CUSTOMER)
        .order_by("created_at", "pk")
        .values_list("ticket_id", "created_at", "body")
    ):
        customer_messages[ticket_id].append((at, body))
    notes = []
    for escalation in missing:
        escalation.sla_snapshot = _demo_sla_snapshot(escalation)
        summary = _demo_summary(
            escalation,
            handoffs=handoffs[escalation.ticket_id],
            customer_messages=customer_messages[escalation.ticket_id],
        )
        escalation.summary = summary.as_dict()
        notes.append(
            Note(
                ticket_id=escalation.ticket_id,
                body=escalation_summary_text(summary),
                author=escalation.initiated_by,
                kind=NoteKind.ESCALATION_SUMMARY,
                created_at=escalation.created_at,
            )
        )
    with _explicit_timestamps(_field(Note, "created_at")):
        _bulk_create(Note, notes)
    if any(n.pk is None for n in notes):
        # Backends that cannot return ids from a bulk insert: the newest ids, in insert order.
        ids = list(
            Note.objects.filter(ticket_id__in=ticket_ids, kind=NoteKind.ESCALATION_SUMMARY)
            .order_by("-id")
            .values_list("id", flat=True)[: len(notes)]
        )
        for note, pk in zip(notes, reversed(ids), strict=True):
            note.pk = pk
    for escalation, note in zip(missing, notes, strict=True):
        escalation.summary_note = note
    Escalation.objects.bulk_update(
        missing, ["sla_snapshot", "summary", "summary_note"], batch_size=BATCH_SIZE
    )
    latest = {
        e.ticket_id: e
        for e in Escalation.objects.filter(ticket_id__in=ticket_ids)
        .select_related("ticket", "target")
        .order_by("created_at", "pk")
    }
    Note.objects.filter(
        ticket_id__in=ticket_ids, kind=NoteKind.ESCALATION_SUMMARY, pinned=True
    ).update(pinned=False)
    Note.objects.filter(pk__in=[e.summary_note_id for e in latest.values()]).update(pinned=True)
    summarized = {e.pk for e in missing}
    ended: dict[int, datetime] = {}
    for ending in endings:
        if ending.data["to"] not in OPEN_STATUSES:
            ended[ending.ticket_id] = min(ending.at, ended.get(ending.ticket_id, ending.at))
    taken = _demo_receivers_take_over(result, [latest[t] for t in ticket_ids], summarized, ended)
    _demo_receivers_act(result, taken, now=now)
    _demo_receivers_hand_back(result, taken, ended, now=now)


def _demo_receivers_take_over(
    result: DemoSeedResult,
    latest: list[Escalation],
    summarized: set[int],
    ended: Mapping[int, datetime],
) -> list[Escalation]:
    """Tickets go to the receiver of their latest escalation (just summarized), with the
    ``escalated`` event ``ticket_escalation_apply`` records; the previous holder follows. Only
    when the escalation came while the ticket ran: before ``ended`` (when its pending ending
    solves or closes it) or, without one, when it is still open. Not when the history assigned
    the ticket after that escalation: the later assignment holds. Not when the escalation came
    from someone other than the holder. Returns the escalations whose receiver took the ticket."""
    assigned_last = demo_held_since(Ticket.objects.filter(pk__in=[e.ticket_id for e in latest]))
    events = []
    followers = []
    taken = []
    for escalation in latest:
        ticket = escalation.ticket
        to_agent_id = escalation.to_agent_id
        last = assigned_last.get(ticket.pk)
        ends = ended.get(ticket.pk)
        running = ticket.is_open if ends is None else escalation.created_at < ends
        if (
            escalation.pk not in summarized
            or (last is not None and last > escalation.created_at)
            or not running
            or to_agent_id is None
            or to_agent_id == ticket.assignee_id
            or _demo_notifies_only(escalation)
            # A chained escalation from someone who never held the ticket (an earlier
            # escalation's receiver: only the latest moves a ticket) records no handover from
            # whoever does hold it.
            or escalation.from_agent_id not in (None, ticket.assignee_id)
        ):
            continue
        taken.append(escalation)
        previous_id = ticket.assignee_id
        events.append(
            TicketEvent(
                ticket=ticket,
                kind=EventKind.ESCALATED,
                actor_id=escalation.initiated_by_id,
                assignee_id=to_agent_id,
                data={
                    "escalation": escalation.pk,
                    "trigger": escalation.trigger,
                    "rule": escalation.rule_id,
                    "from": previous_id,
                    "to": to_agent_id,
                    "to_queue": escalation.to_queue_id,
                    "changes": [
                        [
                            EventKind.ASSIGNED.value,
                            {"from": previous_id, "to": to_agent_id, "reason": "escalation"},
                        ]
                    ],
                    "assigned": True,
                },
                created_at=escalation.created_at,
            )
        )
        if previous_id is not None:
            followers.append(TicketFollower(ticket=ticket, agent_id=previous_id))
        Ticket.objects.filter(pk=ticket.pk).update(
            assignee_id=to_agent_id, version=models.F("version") + 1
        )
    with _explicit_timestamps(_field(TicketEvent, "created_at")):
        _bulk_create(TicketEvent, events)
    TicketFollower.objects.bulk_create(followers, ignore_conflicts=True)
    result.created["escalation_handovers"] = len(events)
    return taken


DEMO_RECEIVER_NOTES = (
    "Taking this from here: the handoff has what I need.",
    "On it. Checking the account history before I reply.",
    "Picked up; I will confirm the next step with the customer today.",
    "Mine now. Looping in billing for the numbers.",
)
DEMO_RECEIVER_NOTE_MINUTES = (2, 25)  # after acknowledging


def _demo_receivers_act(result: DemoSeedResult, taken: list[Escalation], *, now: datetime) -> None:
    """The receivers who took their tickets over wrote a note a few minutes after acknowledging
    (the reports' time to first action), as the demo's history would have had them do."""
    rng = random.Random("demo-receivers")
    events = []
    with _explicit_timestamps(_field(Note, "created_at"), _field(TicketEvent, "created_at")):
        for escalation in taken:
            if escalation.acknowledged_at is None:
                continue
            at = min(
                escalation.acknowledged_at
                + timedelta(minutes=rng.randint(*DEMO_RECEIVER_NOTE_MINUTES)),
                now,
            )
            note = Note.objects.create(
                ticket_id=escalation.ticket_id,
                author_id=escalation.to_agent_id,
                body=rng.choice(DEMO_RECEIVER_NOTES),
                created_at=at,
            )
            events.append(
                TicketEvent(
                    ticket_id=escalation.ticket_id,
                    kind=EventKind.NOTE_ADDED,
                    actor_id=escalation.to_agent_id,
                    data={"note": note.pk, "kind": NoteKind.NOTE.value},
                    created_at=at,
                )
            )
        _bulk_create(TicketEvent, events)
    result.created["receiver_notes"] = len(events)


def _demo_receivers_hand_back(
    result: DemoSeedResult,
    taken: list[Escalation],
    ended: Mapping[int, datetime],
    *,
    now: datetime,
) -> None:
    """A receiver who judged the escalation first-level work (feedback: could have been solved
    at first level) hands the ticket back to the agent it came from when giving that verdict,
    if the ticket still runs then: the reports' bounced, avoidable escalations, a few per rule
    and more where receivers judged many unnecessary (the eager refund rule, the junior before
    coaching)."""
    verdicts = dict(
        EscalationFeedback.objects.filter(
            escalation__in=[e.pk for e in taken],
            needed=False,
            reason=FeedbackReason.FIRST_LEVEL,
        ).values_list("escalation_id", "created_at")
    )
    events = []
    for escalation in taken:
        at = verdicts.get(escalation.pk)
        holder_id = escalation.from_agent_id
        ends = ended.get(escalation.ticket_id)
        if at is None or holder_id is None or at > now or (ends is not None and at >= ends):
            continue
        events.append(
            TicketEvent(
                ticket_id=escalation.ticket_id,
                kind=EventKind.ASSIGNED,
                actor_id=escalation.to_agent_id,
                assignee_id=holder_id,
                data={"from": escalation.to_agent_id, "to": holder_id, "reason": "manual"},
                created_at=at,
            )
        )
        Ticket.objects.filter(pk=escalation.ticket_id).update(
            assignee_id=holder_id, version=models.F("version") + 1
        )
    with _explicit_timestamps(_field(TicketEvent, "created_at")):
        _bulk_create(TicketEvent, events)
    result.created["escalations_handed_back"] = len(events)


def _demo_endings_record(result: DemoSeedResult, endings: Sequence[_Ending]) -> None:
    """Each ticket ends (solved, closed, on hold) at its time, by whoever held it then (the
    auto-close by nobody): the history's holder, the receiver an escalation handed it to, or
    the agent a receiver handed it back to. Appended after the escalations' handovers, so the
    history stays append-only and the one who ends a ticket is the one holding it."""
    holders: dict[int, list[tuple[datetime, int | None]]] = defaultdict(list)
    for ticket_id, at, data in (
        TicketEvent.objects.filter(
            assignment_events(), ticket_id__in=sorted({e.ticket_id for e in endings})
        )
        .order_by("created_at", "pk")
        .values_list("ticket_id", "created_at", "data")
    ):
        holders[ticket_id].append((at, data["to"]))
    events = []
    for ending in sorted(endings, key=lambda e: (e.at, e.ticket_id)):
        held = [holder for at, holder in holders[ending.ticket_id] if at <= ending.at]
        holder_id = held[-1] if held else None
        events.append(
            TicketEvent(
                ticket_id=ending.ticket_id,
                kind=EventKind.STATUS_CHANGED,
                actor_id=holder_id if ending.by_holder else None,
                assignee_id=holder_id,
                data=ending.data,
                created_at=ending.at,
            )
        )
    with _explicit_timestamps(_field(TicketEvent, "created_at")):
        _bulk_create(TicketEvent, events)
    result.created["ticket_endings"] = len(events)


def _demo_history_receipts_ensure(result: DemoSeedResult) -> None:
    """The seeded history was decided when it was written (the escalations above): its events
    get their evaluation receipts, so the worker's sweep for missed evaluations does not run
    hours-old demo events through the rules again on the first start and escalate them now."""
    unevaluated = TicketEvent.objects.filter(
        ticket__customer__external_id__startswith=DEMO_CUSTOMER_PREFIX, evaluation__isnull=True
    ).values_list("pk", flat=True)
    receipts = [EventEvaluation(event_id=pk) for pk in unevaluated.iterator()]
    EventEvaluation.objects.bulk_create(receipts, batch_size=BATCH_SIZE, ignore_conflicts=True)
    result.created["evaluation_receipts"] = len(receipts)


# --- Entry point --------------------------------------------------------------------------------
DEMO_MAILBOX_ADDRESS = "invoices@support.example.com"


def _demo_mailbox_ensure(result: DemoSeedResult, structure: dict[str, Any]) -> None:
    """The first team's first queue receives mail (``manage.py mail_inject`` sends it a sample;
    replies from its tickets go to the console backend unless mail is configured). Added after
    the history, so the demo's past replies are not mailed."""
    first_queue = structure["queues"][structure["teams"][0].pk][0]
    _, made = Mailbox.objects.get_or_create(
        queue=first_queue, defaults={"address": DEMO_MAILBOX_ADDRESS, "imap_host": ""}
    )
    result.created["mailboxes"] = int(made)


def demo_data_seed(
    *,
    tickets: int = 1000,
    customers: int = 200,
    seed: int = DEMO_SEED,
    now: datetime | None = None,
    progress: TextIO | None = None,
) -> DemoSeedResult:
    """Create the demo data set where it is missing; return what was created and the logins.

    Deterministic for a given ``seed`` and ``now``. The ticket history is generated only when no
    demo customer has a ticket yet, so a second run adds nothing.
    """
    if tickets < 0 or customers < 1:
        raise ValueError("tickets must be >= 0 and customers >= 1")
    now = now or timezone.now()
    result = DemoSeedResult()
    with transaction.atomic():
        structure = _demo_structure_ensure(result)
        _demo_exchange_rates_ensure(result, admin=structure["admin"], now=now)
        # One random stream per part: tickets come out the same whether or not customers existed.
        customer_rows = _demo_customers_ensure(
            result, random.Random(f"{seed}-customers"), customers, now
        )
        endings: list[_Ending] = []
        if Ticket.objects.filter(customer__external_id__startswith=DEMO_CUSTOMER_PREFIX).exists():
            result.tickets_already_present = True
        else:
            endings = _demo_tickets_create(
                result,
                random.Random(f"{seed}-tickets"),
                count=tickets,
                now=now,
                customers=customer_rows,
                structure=structure,
                progress_stream=progress,
            )
        _demo_decisions_ensure(result, random.Random(f"{seed}-decisions"), now=now)
        result.created.update(
            demo_macros_ensure(
                rng=random.Random(f"{seed}-macros"),
                now=now,
                demo_tickets=Ticket.objects.filter(
                    customer__external_id__startswith=DEMO_CUSTOMER_PREFIX
                ),
                explicit_timestamps=_explicit_timestamps,
            )
        )
        _demo_mailbox_ensure(result, structure)
        _demo_story_ensure(result, random.Random(f"{seed}-story"), now=now)
        _demo_engine_story_ensure(result, random.Random(f"{seed}-engine"), now=now, endings=endings)
        _demo_escalation_audit_ensure(result)
        _demo_escalation_summaries_ensure(result, now=now, endings=endings)
        _demo_endings_record(result, endings)
        _demo_history_receipts_ensure(result)
        result.created["notifications"] = demo_notifications_ensure(
            now=now, customer_prefix=DEMO_CUSTOMER_PREFIX
        )
    # Open demo tickets get the SLA clocks their history would have left them (the history
    # above bypassed the workflow): a ticket opened days ago is late, not freshly started, and
    # its crossings are in its clock's ledger. Clocks already there run on, as live ones do.
    demo_ticket_ids = Ticket.objects.filter(
        customer__external_id__startswith=DEMO_CUSTOMER_PREFIX
    ).values_list("pk", flat=True)
    result.created["sla_clocks"] = sla_clocks_replay(
        ticket_ids=list(demo_ticket_ids), now=now, cause=Cause("demo data")
    )
    return result
