"""Reading a received mail: pure functions of its bytes, no database.

``mail_parse`` turns raw RFC 5322 bytes into a ``ParsedMail``: the threading headers, the sender,
the new text (quoted history and signature stripped by mail-parser-reply; HTML-only mail turned
into plain text), and the attachments that pass the bounds of ``kimondesk.bounds`` (the others are
listed in ``skipped`` with the reason). ``mail_noise_reason`` says why a mail must never open a
ticket or be answered (auto-replies, bounces, list mail).
"""

from __future__ import annotations

import email
import email.errors
import email.header
import hashlib
import re
from dataclasses import dataclass, field
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

from mailparser_reply import EmailReplyParser

from kimondesk.bounds import (
    MAIL_ATTACHMENT_MAX_BYTES,
    MAIL_ATTACHMENT_TYPES,
    MAIL_ATTACHMENTS_MAX_COUNT,
    MAIL_AUTHENTICATION_RESULTS_MAX,
    MAIL_HTML_MAX_CHARS,
    MAIL_REFERENCES_MAX,
    MAIL_TEXT_READ_MAX_CHARS,
    MESSAGE_BODY_MAX_CHARS,
)

# Quoted-reply headers and sign-offs are recognised in these languages.
REPLY_LANGUAGES = ["en", "de", "fr", "es", "it", "nl"]
_MESSAGE_ID = re.compile(r"<[^<>\s]{1,250}>")
_CUT_MARK = "\n[…]"


class MailRefused(Exception):
    """The mail cannot be taken: ``reason`` is recorded on its ``InboundMail`` row."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason[:300]


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class ParsedMail:
    message_id: str
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    sender: str
    sender_name: str
    recipients: tuple[str, ...]
    subject: str
    text: str
    noise: str | None
    attachments: tuple[Attachment, ...] = ()
    skipped: tuple[str, ...] = field(default_factory=tuple)
    # ``Authentication-Results`` headers, top down (the receiving server's comes first).
    authentication_results: tuple[str, ...] = ()


def _header(msg: Message, name: str) -> str:
    """A header as text; an undecodable one is read leniently rather than refused."""
    try:
        value = msg.get(name)
    except Exception:  # a header the parser cannot fold or decode
        return ""
    return " ".join(str(value).split()) if value is not None else ""


def _headers(msg: Message, name: str) -> tuple[str, ...]:
    """Every occurrence of a header, top down, each as text on one line."""
    return tuple(" ".join(str(value).split()) for value in msg.get_all(name) or ())


def message_ids(value: str, *, limit: int = MAIL_REFERENCES_MAX) -> tuple[str, ...]:
    """The ``<id>`` tokens of a Message-ID, In-Reply-To or References header (the last
    ``limit`` of them: the nearest ancestors come last)."""
    return tuple(_MESSAGE_ID.findall(value)[-limit:])


def mail_noise_reason(msg: Message) -> str | None:
    """Why this mail is machine-made (RFC 3834 auto-replies, bulk/list mail, bounces and
    delivery reports); ``None`` for a person's mail."""
    auto = _header(msg, "Auto-Submitted").lower()
    if auto and auto != "no":
        return f"auto-submitted mail (Auto-Submitted: {auto[:40]})"
    precedence = _header(msg, "Precedence").lower()
    if precedence in ("bulk", "list", "junk", "auto_reply"):
        return f"bulk or list mail (Precedence: {precedence})"
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress"):
        value = _header(msg, name)
        if value and (name != "X-Auto-Response-Suppress" or "all" in value.lower()):
            return f"auto-reply ({name})"
    if _header(msg, "List-Id") or _header(msg, "List-Unsubscribe"):
        return "mailing-list mail (List-Id)"
    content_type = msg.get_content_type()
    report_type = str(msg.get_param("report-type", "") or "").lower()
    if content_type == "multipart/report" and report_type in (
        "delivery-status",
        "disposition-notification",
    ):
        return f"delivery report ({report_type})"
    sender = parseaddr(_header(msg, "From"))[1].lower()
    local = sender.split("@", 1)[0]
    if local in ("mailer-daemon", "postmaster") or _header(msg, "Return-Path") == "<>":
        return "bounce (sent by the mail system)"
    return None


def _charset_decode(payload: bytes, charset: str | None) -> str:
    """Bytes to text in the declared charset; an unknown or wrong one falls back to UTF-8 and
    then Latin-1 with replacement, so no mail is lost to its charset."""
    for candidate in (charset, "utf-8"):
        if not candidate:
            continue
        try:
            return payload.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("latin-1", errors="replace")


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    return _charset_decode(payload, part.get_content_charset())


class _HtmlText(HTMLParser):
    """HTML to plain text: the visible text only (no script, style or head), with line breaks
    where blocks end. The result is stored and shown as text, never as markup."""

    _SKIP = frozenset({"script", "style", "head", "title", "template"})
    _BREAKS = frozenset({"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "blockquote"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BREAKS:
            self.chunks.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._BREAKS:
            self.chunks.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.chunks.append(data)


def html_to_text(html: str) -> str:
    parser = _HtmlText()
    parser.feed(html[:MAIL_HTML_MAX_CHARS])
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.chunks).splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def new_text(text: str) -> str:
    """The text the sender wrote now: quoted history and signature stripped; the whole text if
    the stripper leaves nothing (a mail that is all quote or all signature)."""
    text = text[:MAIL_TEXT_READ_MAX_CHARS].replace("\r\n", "\n").strip()
    if not text:
        return ""
    try:
        parsed = EmailReplyParser(languages=REPLY_LANGUAGES).read(text=text)
        reply = parsed.replies[0] if parsed.replies else None
        stripped = (reply.body or reply.content).strip() if reply else ""
    except Exception:  # the stripper is a heuristic: a failure keeps the full text
        stripped = ""
    return stripped or text


def _body_and_attachments(
    msg: Message,
) -> tuple[str, list[Attachment], list[str]]:
    plain: str | None = None
    html: str | None = None
    kept: list[Attachment] = []
    skipped: list[str] = []
    parts = msg.walk() if msg.is_multipart() else iter([msg])
    for part in parts:
        if part.is_multipart():
            continue
        content_type = part.get_content_type()
        disposition = (part.get_content_disposition() or "").lower()
        filename = part.get_filename()
        if disposition != "attachment" and not filename:
            if content_type == "text/plain" and plain is None:
                plain = _part_text(part)
                continue
            if content_type == "text/html" and html is None:
                html = _part_text(part)
                continue
            if content_type.startswith("text/") or content_type.startswith("message/"):
                continue
        name = (filename or "attachment").replace("/", "_").replace("\\", "_")[:200]
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            skipped.append(f"{name}: unreadable content")
        elif content_type not in MAIL_ATTACHMENT_TYPES:
            skipped.append(f"{name}: type {content_type} is not accepted")
        elif len(payload) > MAIL_ATTACHMENT_MAX_BYTES:
            skipped.append(
                f"{name}: {len(payload)} bytes is over the {MAIL_ATTACHMENT_MAX_BYTES}-byte limit"
            )
        elif len(kept) >= MAIL_ATTACHMENTS_MAX_COUNT:
            skipped.append(f"{name}: more than {MAIL_ATTACHMENTS_MAX_COUNT} attachments")
        else:
            kept.append(Attachment(filename=name, content_type=content_type, content=payload))
    if plain is not None and plain.strip():
        text = plain
    elif html is not None:
        text = html_to_text(html)
    else:
        text = plain or ""
    return text, kept, skipped


def _fallback_message_id(raw: bytes) -> str:
    """A mail without a Message-ID is known by its content, so a second delivery of the same
    bytes is still recognised."""
    return f"<sha256.{hashlib.sha256(raw).hexdigest()}@kimondesk.invalid>"


def mail_parse(raw: bytes) -> ParsedMail:
    """Read a received mail; ``MailRefused`` if it has no usable sender or cannot be read."""
    try:
        msg = email.message_from_bytes(raw, policy=policy.compat32)
    except Exception as exc:
        raise MailRefused(f"malformed mail: {type(exc).__name__}") from exc
    if not msg.keys():
        raise MailRefused("malformed mail: no headers")
    ids = message_ids(_header(msg, "Message-ID"), limit=1)
    message_id = ids[0] if ids else _fallback_message_id(raw)
    name, sender = parseaddr(_header(msg, "From"))
    sender = sender.strip().lower()
    if not _is_address(sender):
        raise MailRefused("no sender address (From)")
    subject = _decoded_header(msg, "Subject")[:255]
    recipients = tuple(
        addr.strip().lower()
        for _, addr in getaddresses(
            [_header(msg, h) for h in ("Delivered-To", "X-Original-To", "To", "Cc")]
        )
        if _is_address(addr.strip())
    )
    try:
        text, attachments, skipped = _body_and_attachments(msg)
    except Exception as exc:
        raise MailRefused(f"malformed MIME structure: {type(exc).__name__}") from exc
    body = new_text(text)
    if len(body) > MESSAGE_BODY_MAX_CHARS:
        body = body[: MESSAGE_BODY_MAX_CHARS - len(_CUT_MARK)] + _CUT_MARK
        skipped.append(f"text cut to {MESSAGE_BODY_MAX_CHARS} characters")
    return ParsedMail(
        message_id=message_id,
        in_reply_to=message_ids(_header(msg, "In-Reply-To")),
        references=message_ids(_header(msg, "References")),
        sender=sender,
        sender_name=_decoded_text(name)[:200],
        recipients=recipients,
        subject=subject,
        text=body,
        noise=mail_noise_reason(msg),
        attachments=tuple(attachments),
        skipped=tuple(skipped),
        authentication_results=_headers(msg, "Authentication-Results")[
            :MAIL_AUTHENTICATION_RESULTS_MAX
        ],
    )


def _decoded_text(value: str) -> str:
    try:
        return str(email.header.make_header(email.header.decode_header(value)))
    except Exception:  # an unknown charset in an encoded word: keep it as written
        return value


def _decoded_header(msg: Message, name: str) -> str:
    return " ".join(_decoded_text(_header(msg, name)).split())


def _is_address(value: str) -> bool:
    if not value or len(value) > 254 or value.count("@") != 1:
        return False
    try:
        Address(addr_spec=value)
    except (ValueError, IndexError, email.errors.HeaderParseError):
        return False
    return True


def mail_bytes(message: EmailMessage | Message) -> bytes:
    """A parsed message back to bytes (for mail that arrives already parsed, e.g. by webhook)."""
    return message.as_bytes(policy=policy.SMTP)
