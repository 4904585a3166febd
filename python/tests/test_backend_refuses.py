"""A backend that refuses valid tokens (``TokenInvalid`` for a token seconds old) must not cost a
refresh per request: the bridge says which token was refused (the agent's ``refused``, the CLI's
``--refused``), and a token renewed moments ago is not renewed again (``Unreachable``, so the
client's polling loops back off)."""

import time

import pytest
import requests
from openeo.rest import OpenEoApiError

import openeo_auth_tray
from openeo_auth_tray import Unreachable
from conftest import enter

#: The app's "renewed moments ago" (token-service.ts RENEWED_MOMENTS_AGO_MS), in seconds.
MOMENTS = 5


@pytest.fixture(params=["agent", "cli"])
def long_token_world(request, make_world, monkeypatch):
    """Tokens that live a minute (no renewal before requests gets in the way), from the agent or
    (without one) from the CLI; entered."""
    return enter(make_world(agent=request.param == "agent", accessTokenTtl=60), monkeypatch)


def refreshes(world) -> int:
    return world.counters()["byGrant"].get("refresh_token", 0)


def test_five_requests_to_a_backend_that_refuses_every_token_cost_at_most_one_refresh(long_token_world):
    world = long_token_world
    world.sign_in()
    connection = openeo_auth_tray.connect()
    assert connection.describe_account()["user_id"] == "alice"
    time.sleep(MOMENTS + 0.5)  # the token is not "renewed moments ago" any more: its refusal is worth one refresh
    before = refreshes(world)
    world.control("/backend-refuse", {})
    caught = []
    try:
        for _ in range(5):
            with pytest.raises((OpenEoApiError, Unreachable)) as e:
                connection.describe_account()
            caught.append(e.value)
    finally:
        world.control("/backend-refuse", {"times": 0})
    assert refreshes(world) - before == 1, f"{refreshes(world) - before} refreshes at the IdP for 5 refused requests"
    # The first: the token was renewed once, and the backend refused the new one too (its own error).
    assert isinstance(caught[0], OpenEoApiError) and caught[0].code == "TokenInvalid"
    for e in caught[1:]:
        assert isinstance(e, Unreachable) and isinstance(e, requests.ConnectionError), repr(e)
        assert e.code == "TOKEN_REFUSED_AFTER_RENEWAL" and e.exit_code == 5
        assert f"{world.backend_url} refuses the access token of \"alice\"" in str(e) and "renewing it again would not help" in str(e)
    if not world.info["agent_pid"]:
        assert len(world.cli_calls()) == 1 + 2, "connect, the renewal, one 'renewed moments ago': then no call"
    assert connection.describe_account()["user_id"] == "alice", "the renewed token works once the backend accepts it"
    assert world.counters()["errors"] == {}


def test_a_token_another_process_renewed_meanwhile_is_taken_as_it_is(long_token_world):
    world = long_token_world
    world.sign_in()
    connection = openeo_auth_tray.connect()
    source = connection.auth.source
    refused = source.token
    time.sleep(MOMENTS + 0.5)
    # Another process renews the login (the CLI's token with a minimum it cannot meet).
    assert world.run_cli("token", refused.identity, "--min-valid", "3600").returncode == 0
    before = refreshes(world)
    renewed = source.renew_after_refusal(refused.bearer)
    assert renewed.access_token != refused.access_token
    assert refreshes(world) == before, "the newer token was handed out as it is, without a refresh"
