"""Outbound destinations: user-supplied webhook and Slack URLs may not reach private networks."""

from __future__ import annotations

import socket

import pytest
from django.core.exceptions import ValidationError

from escalations import outbound
from escalations.outbound import (
    SLACK_URL_MESSAGE,
    OutboundRefused,
    outbound_destination_check,
    outbound_url_problem,
    slack_webhook_url_validator,
)


@pytest.fixture
def private_refused(settings):
    settings.KIMONDESK = {**settings.KIMONDESK, "OUTBOUND_PRIVATE_NETWORKS": False}


def fake_dns(monkeypatch, *addresses: str) -> list[str]:
    """Make every name resolve to ``addresses``; returns the names looked up."""
    looked_up: list[str] = []

    def getaddrinfo(host, port, *args, **kwargs):
        looked_up.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]

    monkeypatch.setattr(outbound.socket, "getaddrinfo", getaddrinfo)
    return looked_up


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:5432/",
        "http://169.254.169.254/latest/meta-data/",
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "https://172.16.5.4/hook",
        "https://100.64.0.1/hook",
        "http://0.0.0.0:6379/",
        "http://[::1]:8000/",
        "http://[::ffff:127.0.0.1]/",
        "http://[fd00::1]/",
        "http://localhost:8000/",
        "http://admin.localhost/",
    ],
)
def test_private_and_loopback_hosts_are_refused_without_dns(private_refused, monkeypatch, url):
    looked_up = fake_dns(monkeypatch, "93.184.216.34")

    assert outbound_url_problem(url) is not None
    with pytest.raises(OutboundRefused):
        outbound_destination_check(url)
    assert looked_up == []


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://files.example.com/in", "Only http and https URLs are allowed."),
        ("https:///path-only", "Enter a URL with a host name."),
        ("https://crm.example.com:99999/in", "Enter a valid URL."),
    ],
)
def test_malformed_urls_say_why(private_refused, url, message):
    assert outbound_url_problem(url) == message


def test_public_addresses_and_names_pass_validation(private_refused):
    assert outbound_url_problem("https://93.184.216.34/in") is None
    assert outbound_url_problem("https://crm.example.com/in") is None


def test_a_name_is_checked_against_every_address_it_resolves_to(private_refused, monkeypatch):
    fake_dns(monkeypatch, "93.184.216.34", "10.0.0.7")

    with pytest.raises(OutboundRefused, match=r"crm\.example\.com resolves to 10\.0\.0\.7"):
        outbound_destination_check("https://crm.example.com/in")


def test_a_public_name_is_allowed(private_refused, monkeypatch):
    looked_up = fake_dns(monkeypatch, "93.184.216.34")

    outbound_destination_check("https://crm.example.com:8443/in")

    assert looked_up == ["crm.example.com"]


def test_private_networks_can_be_allowed(settings, monkeypatch):
    settings.KIMONDESK = {**settings.KIMONDESK, "OUTBOUND_PRIVATE_NETWORKS": True}
    looked_up = fake_dns(monkeypatch, "10.0.0.7")

    assert outbound_url_problem("http://10.0.0.7/hook") is None
    outbound_destination_check("http://intranet.corp/hook")
    assert looked_up == []


@pytest.mark.parametrize(
    ("url", "private_allowed", "accepted"),
    [
        ("https://hooks.slack.com/services/T0/B0/abc", False, True),
        ("https://hooks.slack.com.evil.example/services/T0", False, False),
        ("https://evil.example.com/services/T0/B0/abc", False, False),
        ("http://127.0.0.1:8150/hook", False, False),
        ("http://127.0.0.1:8150/hook", True, True),
        ("http://10.0.0.7/hook", True, False),
        ("http://[::1/hook", True, False),
    ],
)
def test_slack_urls_are_slack_or_a_local_stand_in(settings, url, private_allowed, accepted):
    settings.KIMONDESK = {**settings.KIMONDESK, "OUTBOUND_PRIVATE_NETWORKS": private_allowed}

    if accepted:
        slack_webhook_url_validator(url)
    else:
        with pytest.raises(ValidationError) as caught:
            slack_webhook_url_validator(url)
        assert caught.value.messages == [SLACK_URL_MESSAGE]
