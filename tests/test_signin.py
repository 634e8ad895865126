import pytest
from django.core.cache import cache

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
def test_sixth_failed_signin_is_refused_with_429_even_with_the_right_password(client, path):
    AgentFactory(username="mia")
    for _ in range(5):
        assert _sign_in(client, "mia", "wrong", path).status_code == 200

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
