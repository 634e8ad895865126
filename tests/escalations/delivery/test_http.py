"""The one HTTP client of deliveries against a real HTTP server on 127.0.0.1, and the
Retry-After parser in both forms (RFC 9110 §10.2.3)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from escalations.delivery import http
from escalations.delivery.http import (
    OutboundRequest,
    OutboundResult,
    delivery_post,
    retry_after_parse,
    url_mask,
)
from escalations.outbound import OutboundRefused
from kimondesk.bounds import DELIVERY_RETRY_AFTER_MAX_SECONDS
from tests.fakes.slack_server import Answer, FakeSlack, fake_slack_serving, hang, status

NOW = datetime(2026, 10, 21, 7, 28, 0, tzinfo=UTC)
SECRET = "https://hooks.slack.com/services/T000/B000/secret-token"
PORTS = range(8800, 8820)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        pytest.param("30", 30, id="delta-seconds"),
        pytest.param(" 7 ", 7, id="delta-seconds-padded"),
        pytest.param("0", 0, id="zero"),
        pytest.param("21601", DELIVERY_RETRY_AFTER_MAX_SECONDS, id="delta-over-the-bound"),
        pytest.param("9" * 40, DELIVERY_RETRY_AFTER_MAX_SECONDS, id="huge-delta"),
        pytest.param("Wed, 21 Oct 2026 07:30:00 GMT", 120, id="imf-fixdate"),
        pytest.param("Wednesday, 21-Oct-26 07:29:00 GMT", 60, id="rfc-850-date"),
        pytest.param("Wed Oct 21 07:28:30 2026", 30, id="asctime-date"),
        pytest.param("Wed, 21 Oct 2026 07:28:00 GMT", 0, id="date-now"),
        pytest.param("Wed, 21 Oct 2026 07:00:00 GMT", 0, id="date-in-the-past"),
        pytest.param("Wed, 21 Oct 2026 09:28:00 +0200", 0, id="date-with-offset"),
        pytest.param("Thu, 22 Oct 2026 07:28:00 GMT", DELIVERY_RETRY_AFTER_MAX_SECONDS, id="day"),
        pytest.param("-4", None, id="negative"),
        pytest.param("12.7", None, id="fraction"),
        pytest.param("soon", None, id="text"),
        pytest.param("", None, id="empty"),
        pytest.param("٣", None, id="non-ascii-digit"),
        pytest.param(None, None, id="absent"),
    ],
)
def test_retry_after_reads_seconds_and_http_dates(value, seconds):
    assert retry_after_parse(value, now=NOW) == seconds


def test_a_date_a_fraction_of_a_second_ahead_waits_a_whole_second():
    now = datetime(2026, 10, 21, 7, 27, 59, 500000, tzinfo=UTC)

    assert retry_after_parse("Wed, 21 Oct 2026 07:28:00 GMT", now=now) == 1


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        pytest.param(f"POST {SECRET} failed", "POST <webhook> failed", id="whole-url"),
        pytest.param("404 for /services/T000/B000/secret-token", "404 for <webhook>", id="path"),
        pytest.param("token secret-token refused", "token <webhook> refused", id="last-segment"),
        pytest.param("HTTP 500: oops", "HTTP 500: oops", id="nothing-to-mask"),
    ],
)
def test_the_url_is_masked_in_error_texts(text, masked):
    assert url_mask(text, SECRET) == masked


def test_short_parts_are_not_masked():
    assert url_mask("a b c", "https://x.io/a/b") == "a b c"
    assert url_mask("abcdefgh", "") == "abcdefgh"
    assert url_mask("see /hooks/abcdefgh/", "https://x.io/hooks/abcdefgh/") == "see <webhook>/"
    assert url_mask("token abcdefgh", "https://x.io/hooks/abcdefgh") == "token <webhook>"
    assert url_mask("token abcdefg", "https://x.io/hooks/abcdefg") == "token abcdefg"
    assert url_mask("token tokenabcX", "https://x.io/hooks/tokenabcX") == "token <webhook>"


@pytest.fixture
def server() -> Iterator[FakeSlack]:
    yield from fake_slack_serving(PORTS)


def post(server: FakeSlack, *, timeout: float = 2) -> OutboundResult:
    request = OutboundRequest(
        url=server.url,
        body=b'{"text": "hi"}',
        headers={"Content-Type": "application/json", "X-Kind": "test"},
        timeout_seconds=timeout,
    )
    return delivery_post(request, now=NOW)


def test_a_2xx_answer_is_a_success_without_an_error(server):
    result = post(server)

    assert (result.status_code, result.error, result.retry_after_seconds) == (200, "", None)
    assert result.ok is True
    assert server.requests == [{"text": "hi"}]
    assert server.paths == ["/services/T000/B000/secret-token"]
    assert (server.headers[0]["content-type"], server.headers[0]["x-kind"]) == (
        "application/json",
        "test",
    )


def test_the_duration_is_measured_in_milliseconds(server, monkeypatch):
    ticks = iter([100.0, 102.5])
    monkeypatch.setattr(http, "time", SimpleNamespace(monotonic=lambda: next(ticks)))

    assert post(server).duration_ms == 2500


@pytest.mark.parametrize(
    ("answer", "outcome"),
    [
        pytest.param(status(500), (500, "HTTP 500: error", None), id="5xx-with-body"),
        pytest.param(status(503, ""), (503, "HTTP 503", None), id="5xx-without-body"),
        pytest.param(status(404, "x" * 300), (404, "HTTP 404: " + "x" * 200, None), id="cut"),
        pytest.param(
            Answer(status=429, body="slow down", headers={"Retry-After": "7"}),
            (429, "HTTP 429: slow down", 7),
            id="429-delta-seconds",
        ),
        pytest.param(
            Answer(status=503, body="", headers={"Retry-After": "Wed, 21 Oct 2026 07:33:00 GMT"}),
            (503, "HTTP 503", 300),
            id="503-http-date",
        ),
        pytest.param(
            Answer(status=302, body="", headers={"Location": "http://127.0.0.1:1/internal"}),
            (302, "HTTP 302", None),
            id="redirect-not-followed",
        ),
        pytest.param(status(299, ""), (299, "", None), id="299-is-2xx"),
        pytest.param(status(300, ""), (300, "HTTP 300", None), id="300-is-not"),
    ],
)
def test_a_failed_answer_reports_its_code_an_excerpt_and_retry_after(server, answer, outcome):
    server.queue(answer)

    result = post(server)

    assert (result.status_code, result.error, result.retry_after_seconds) == outcome
    assert result.ok is (outcome[0] == 299)
    assert len(server.requests) == 1


def test_an_echoed_url_is_masked(server):
    server.queue(status(500, f"no route for {server.url}"))

    assert post(server).error == "HTTP 500: no route for <webhook>"


def test_a_timeout_is_a_result_without_a_status_code(server):
    server.queue(hang(3))

    result = post(server, timeout=0.5)

    assert (result.status_code, result.error, result.retry_after_seconds) == (
        None,
        "ReadTimeout: timed out",
        None,
    )
    assert result.ok is False
    assert 400 <= result.duration_ms < 2000


def test_a_refused_connection_is_a_result_without_a_status_code():
    request = OutboundRequest(url="http://127.0.0.1:8799/services/x", body=b"{}")

    result = delivery_post(request, now=NOW)

    assert (result.status_code, result.error) == (
        None,
        "ConnectError: [Errno 111] Connection refused",
    )


def test_a_private_destination_is_refused_before_connecting(server, settings):
    settings.KIMONDESK = {**settings.KIMONDESK, "OUTBOUND_PRIVATE_NETWORKS": False}

    with pytest.raises(OutboundRefused, match=r"127\.0\.0\.1 is not a public address"):
        post(server)

    assert server.requests == []


def test_the_request_line_with_its_secret_url_is_not_logged(server, caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore"):
        caplog.set_level(logging.DEBUG, logger=name)

    post(server)

    assert server.requests == [{"text": "hi"}]
    assert [r.getMessage() for r in caplog.records if "secret-token" in r.getMessage()] == []
