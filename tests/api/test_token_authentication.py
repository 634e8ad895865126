"""Token authentication answers as DRF's does, in one statement."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def _client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_valid_token_signs_the_agent_in_with_one_read(junior):
    token = Token.objects.create(user=junior)
    client = _client(token.key)
    client.get("/api/v1/tickets/")  # warm: the statement is compiled on first use
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/teams/")
    assert response.status_code == 200
    token_reads = [q for q in queries if "authtoken_token" in q["sql"]]
    assert len(token_reads) == 1
    assert '"tickets_agent"' in token_reads[0]["sql"]  # the agent comes with the token


@pytest.mark.parametrize("key", ["0" * 40, "not-a-token", "x'OR'1'='1", "a" * 200])
def test_an_unknown_token_is_refused(junior, key):
    Token.objects.create(user=junior)
    response = _client(key).get("/api/v1/tickets/")
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid token."


def test_a_deactivated_agent_is_refused(junior):
    token = Token.objects.create(user=junior)
    junior.is_active = False
    junior.save(update_fields=["is_active"])
    response = _client(token.key).get("/api/v1/tickets/")
    assert response.status_code == 401
    assert response.json()["detail"] == "User inactive or deleted."
