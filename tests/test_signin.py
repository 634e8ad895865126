import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.test import Client

from kimondesk.signin import signin_username_normalise
from tests.factories import AgentFactory


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def _sign_in(client, username, password, path="/login/"):
    return client.post(path, {"username": username, "password": password})


@pytest.mark.django_db
def test_signin_with_the_right_password_redirects_home(client):
    AgentFactory(username="mia")

    response = _sign_in(client, "mia", "pw-for-tests-1")

    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/login/", "/admin/login/"], ids=["site", "admin"])
def test_after_five_failures_sign_in_is_refused_with_429_even_with_the_right_password(client, path):
    AgentFactory(username="mia")
    answers = [_sign_in(client, "mia", "wrong", path).status_code for _ in range(5)]
    assert answers == [200, 200, 200, 200, 429]

    response = _sign_in(client, "mia", "pw-for-tests-1", path)

    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_success_resets_the_per_user_failure_count(client):
    AgentFactory(username="mia")
    for _ in range(4):
        _sign_in(client, "mia", "wrong")
    assert _sign_in(client, "mia", "pw-for-tests-1").status_code == 302
    client.logout()

    for _ in range(4):
        assert _sign_in(client, "mia", "wrong").status_code == 200
    assert _sign_in(client, "mia", "pw-for-tests-1").status_code == 302


@pytest.mark.django_db
def test_failures_on_one_user_name_do_not_lock_out_another(client):
    AgentFactory(username="mia")
    AgentFactory(username="noah")
    for _ in range(5):
        _sign_in(client, "mia", "wrong")

    assert _sign_in(client, "noah", "pw-for-tests-1").status_code == 302


@pytest.mark.django_db
def test_a_locked_account_stays_locked_from_another_address(client):
    AgentFactory(username="billing-senior2")
    for _ in range(5):
        client.post(
            "/login/",
            {"username": "billing-senior2", "password": "wrong"},
            REMOTE_ADDR="203.0.113.7",
        )

    response = Client().post(
        "/login/",
        {"username": "billing-senior2", "password": "pw-for-tests-1"},
        REMOTE_ADDR="198.51.100.9",
    )

    assert response.status_code == 429
    assert "_auth_user_id" not in response.wsgi_request.session


@pytest.mark.django_db
@pytest.mark.parametrize(
    "look_alike",
    ["\uff42illing-senior2", "BILLING-SENIOR2", " billing-senior2 "],
    ids=["fullwidth-b", "upper-case", "padded"],
)
def test_a_look_alike_user_name_shares_the_lockout(client, look_alike):
    AgentFactory(username="billing-senior2")
    for _ in range(5):
        _sign_in(client, "billing-senior2", "wrong")

    response = _sign_in(client, look_alike, "pw-for-tests-1")

    assert response.status_code == 429
    assert AccessAttempt.objects.get().username == "billing-senior2"


@pytest.mark.django_db
def test_failures_are_counted_in_the_database_for_every_process(client):
    AgentFactory(username="mia")
    for _ in range(3):
        _sign_in(client, "MIA", "wrong")

    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.failures_since_start) == ("mia", 3)


def test_user_names_are_normalised_with_nfkc_and_casefold():
    assert [
        signin_username_normalise(None, {"username": raw})
        for raw in ("Mia", "\uff2d\uff49\uff41", "STRASSE", "stra\u00dfe", " mia ")
    ] == ["mia", "mia", "strasse", "strasse", "mia"]
