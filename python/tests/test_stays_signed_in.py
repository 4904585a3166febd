"""A script stays signed in across many access-token lifetimes, with the real openeo client."""

import math
import subprocess
import time

import openeo
import pytest
from openeo.rest import OpenEoApiError

import openeo_auth_tray
from conftest import TTL, enter


def test_one_script_across_three_token_lifetimes(in_world):
    identity = in_world.sign_in()
    connection = openeo_auth_tray.connect()
    assert connection.root_url.startswith(in_world.backend_url)
    assert isinstance(connection.auth, openeo_auth_tray.TrayBearerAuth)

    # The way the README recommended before the bridge: one token, and the connection dies with it.
    one_shot = subprocess.run([in_world.cli, "token", identity], capture_output=True, text=True, check=True).stdout.strip()
    plain = openeo.connect(in_world.backend_url).authenticate_oidc_access_token(one_shot, provider_id=in_world.info["provider_id"])

    started = time.monotonic()
    seen_tokens = set()
    rounds = 0
    while time.monotonic() - started < 3.2 * TTL:
        assert connection.describe_account()["user_id"] == "alice"
        assert connection.list_jobs() == []
        seen_tokens.add(connection.auth.source.token.access_token)
        rounds += 1
        time.sleep(1)

    with pytest.raises(OpenEoApiError) as refused:
        plain.describe_account()
    assert refused.value.code == "TokenInvalid", "the control: a one-shot token really ended meanwhile"

    lifetimes = math.ceil((time.monotonic() - started) / TTL)
    calls = [c for c in in_world.cli_calls() if "--json" in c]
    assert rounds >= 3 * TTL - 3
    assert len(seen_tokens) >= 3, f"renewed across lifetimes: {len(seen_tokens)} tokens"
    # About one CLI call per access-token lifetime (plus the first), not one per request.
    assert len(calls) <= 2 * lifetimes + 1 < rounds, f"{len(calls)} CLI calls for {lifetimes} lifetimes and {rounds} rounds"
    assert in_world.counters()["errors"] == {}, "the IdP refused nothing"


def test_batch_job_runs_for_three_lifetimes_and_start_and_wait_sees_it_finish(make_world, monkeypatch):
    world = make_world(jobRunMs=int(3.3 * TTL * 1000))
    for key, value in world.env().items():
        monkeypatch.setenv(key, value)
    world.sign_in()
    connection = openeo_auth_tray.connect()
    job = connection.create_job({"add": {"process_id": "add", "arguments": {"x": 1, "y": 2}, "result": True}}, title="three lifetimes")
    started = time.monotonic()
    lines = []
    job.start_and_wait(max_poll_interval=1, print=lines.append)
    took = time.monotonic() - started
    assert job.status() == "finished"
    assert took >= 3 * TTL, f"the job ran {took:.1f} s"
    assert any("running" in l for l in lines)
    assert world.counters()["errors"] == {}


def test_authenticate_a_connection_the_user_made(in_world):
    in_world.sign_in()
    connection = openeo.connect(in_world.backend_url)
    assert openeo_auth_tray.authenticate(connection) is connection
    assert connection.describe_account()["user_id"] == "alice"


def test_a_refused_token_is_renewed_through_the_clients_own_hook_and_renewal_goes_on(make_world, monkeypatch):
    world = enter(make_world(accessTokenTtl=60), monkeypatch)  # no renewal before requests meanwhile
    world.sign_in()
    connection = openeo_auth_tray.connect()
    auth = connection.auth
    assert connection._oidc_auth_renewer is auth.renewer
    first = auth.source.token
    time.sleep(5.5)  # not "renewed moments ago" (5 s), which the app would not renew again
    # The backend refuses the current token once (as after a revocation of that access token).
    world.control("/backend-refuse-once", {})
    assert connection.describe_account()["user_id"] == "alice"
    assert auth.source.token.access_token != first.access_token, "a new token came from the CLI"
    assert connection.auth is auth, "the self-renewing auth is back after the client's renewal"
    assert "--refused" in world.cli_calls()[-1], "the CLI was told which token the backend refused"
