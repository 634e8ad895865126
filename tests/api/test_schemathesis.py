"""Fuzzing the live schema with schemathesis against a real server on loopback.

A bounded number of examples per operation; checks: no 5xx, responses (status, body, content
type) conform to the schema. The number of generated cases is printed (``-s`` shows it) and
recorded in docs/benchmarks.md.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test.testcases import LiveServerThread, _StaticFilesHandler
from rest_framework.authtoken.models import Token

from tests import factories

PORT = 8250
MAX_EXAMPLES = 5
CHECKS = "not_a_server_error,response_schema_conformance,content_type_conformance"


@pytest.fixture
def live_api(transactional_db, settings):
    settings.API_THROTTLE_RATE = "100000/min"
    server = LiveServerThread("127.0.0.1", _StaticFilesHandler, port=PORT)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    yield f"http://127.0.0.1:{PORT}"
    server.terminate()


def test_schemathesis_finds_no_server_errors_and_no_schema_violations(live_api):
    # Given an admin token and one row of the main resources to hit
    admin = factories.AdminFactory(username="fuzz-admin")
    queue = factories.QueueFactory()
    ticket = factories.TicketFactory(queue=queue)
    factories.EscalationFactory(ticket=ticket)
    factories.RuleFactory(team=queue.team)
    token = Token.objects.create(user=admin)
    schemathesis = Path(sys.executable).with_name("schemathesis")

    # When schemathesis fuzzes every operation of the live schema
    result = subprocess.run(
        [
            str(schemathesis),
            "run",
            f"{live_api}/api/schema/",
            "--url",
            live_api,
            "-H",
            f"Authorization: Token {token.key}",
            "--checks",
            CHECKS,
            "--max-examples",
            str(MAX_EXAMPLES),
            "--phases",
            "examples,fuzzing",
            "--seed",
            "7",
            "--workers",
            "1",
            "--max-time",
            "25",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    Path("var/schemathesis.log").write_text(output)
    cases = re.search(r"(\d+) generated", output)
    print(f"\nschemathesis: {cases.group(1) if cases else '?'} generated cases")
    print(output[-3000:])

    # Then no check failed
    assert result.returncode == 0, output[-6000:]
