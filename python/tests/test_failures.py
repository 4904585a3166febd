"""When no token can be had: exceptions a script can catch, with the CLI's one line."""

import time

import pytest
import requests

import openeo_auth_tray
from openeo_auth_tray import _chain
from openeo_auth_tray import AuthTrayError, IdentityNotFound, KeychainUnavailable, LoginRequired, Unreachable
from conftest import TTL, wait_until


def _until_renewal_is_due(connection):
    """Waits (bounded) until the cached token is inside its renewal margin."""
    source = connection.auth.source
    wait_until(lambda: source.token.expires_at - time.time() < source.margin(), TTL + 2, "the token reaching its renewal margin")


def test_a_login_revoked_at_the_idp_raises_login_required_once(in_world):
    identity = in_world.sign_in()
    connection = openeo_auth_tray.connect()
    assert connection.describe_account()["user_id"] == "alice"
    # Revoking the grant ends its access token too, so the backend refuses it. Within 5 s of its
    # renewal the app would take that refusal for the backend's own (Unreachable, test_backend_refuses.py);
    # later it refreshes, and finds the login ended.
    time.sleep(5.5)
    in_world.control("/revoke", {"identity": identity})
    refreshes_before = in_world.counters()["byGrant"].get("refresh_token", 0)

    with pytest.raises(LoginRequired) as caught:
        connection.describe_account()
    message = str(caught.value)
    assert caught.value.exit_code == 3 and caught.value.code == "REFRESH_TOKEN_INVALID"
    assert "sign in again" in message.lower() and f"openeo-auth-tray login {in_world.backend_url}" in message
    assert isinstance(caught.value, AuthTrayError)
    # One refresh attempt, no retry loop.
    assert in_world.counters()["byGrant"].get("refresh_token", 0) == refreshes_before + 1
    # And a new connection says the same, at once.
    with pytest.raises(LoginRequired):
        openeo_auth_tray.connect()


def test_a_locked_keychain_raises_keychain_unavailable(in_world):
    in_world.sign_in()
    connection = openeo_auth_tray.connect()
    in_world.control("/keyring", {"locked": True})
    try:
        with pytest.raises(KeychainUnavailable) as caught:
            openeo_auth_tray.connect()
        assert caught.value.exit_code == 4
        assert "keychain" in str(caught.value).lower()
        # A running connection: fine while its token lasts, then the same error, not a 403.
        _until_renewal_is_due(connection)
        with pytest.raises(KeychainUnavailable):
            connection.describe_account()
    finally:
        in_world.control("/keyring", {"locked": False})
    assert connection.describe_account()["user_id"] == "alice", "works again once the keychain is open"


def test_an_unreachable_idp_raises_unreachable_and_the_connection_recovers(in_world):
    in_world.sign_in()
    connection = openeo_auth_tray.connect()
    in_world.control("/idp", {"state": "down"})
    try:
        _until_renewal_is_due(connection)
        with pytest.raises(Unreachable) as caught:
            connection.describe_account()
        assert caught.value.exit_code == 5
        assert isinstance(caught.value, requests.ConnectionError), "the client's polling loops retry it"
        assert "identity provider" in str(caught.value).lower()
    finally:
        in_world.control("/idp", {"state": "up"})
    assert connection.describe_account()["user_id"] == "alice"


def test_a_hanging_idp_ends_in_unreachable_within_the_clis_timeout(in_world, monkeypatch):
    monkeypatch.setenv("OPENEO_AUTH_TRAY_TIMEOUT", "2")
    in_world.sign_in()
    connection = openeo_auth_tray.connect()
    in_world.control("/idp", {"state": "hang"})
    try:
        _until_renewal_is_due(connection)
        started = time.monotonic()
        with pytest.raises(Unreachable):
            connection.describe_account()
        took = time.monotonic() - started
        # The CLI's bounded wait (2 s per answer), not the bridge's own, much longer, limit.
        assert took < openeo_auth_tray._cli.default_timeout(), f"took {took:.1f} s"
    finally:
        in_world.control("/idp", {"state": "up"})


def test_choosing_the_login(in_world, monkeypatch):
    personal = in_world.sign_in()
    service = in_world.service_account()
    with pytest.raises(IdentityNotFound) as caught:
        openeo_auth_tray.connect()
    assert personal in str(caught.value) and service in str(caught.value), "the message lists the choices"
    with pytest.raises(IdentityNotFound):
        openeo_auth_tray.connect(in_world.backend_url)

    assert openeo_auth_tray.connect(identity="robot").describe_account()["user_id"] != "alice", "by label"
    monkeypatch.setenv("OPENEO_AUTH_TRAY_IDENTITY", personal)
    assert openeo_auth_tray.connect().describe_account()["user_id"] == "alice", "from OPENEO_AUTH_TRAY_IDENTITY"
    assert openeo_auth_tray.connect(in_world.backend_url).describe_account()["user_id"] == "alice"

    # A login is never used for another backend: the token would go to the wrong place.
    with pytest.raises(IdentityNotFound) as caught:
        openeo_auth_tray.connect("http://127.0.0.1:9/elsewhere", identity=personal)
    assert caught.value.code == "IDENTITY_BACKEND_MISMATCH"


def test_no_agent_and_no_cli_is_one_clear_error(monkeypatch, tmp_path):
    for name in ("OPENEO_AUTH_TRAY_CLI", "OPENEO_AUTH_TRAY_SOCK", "OPENEO_AUTH_TRAY_AGENT_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))  # no agent there
    monkeypatch.setattr(_chain, "FORWARD_FOLDERS", (str(tmp_path),))  # nor a forwarded socket
    with pytest.raises(openeo_auth_tray.NoTokenSource) as caught:
        openeo_auth_tray.connect()
    message = str(caught.value)
    assert 'Start openEO Auth Tray, or run: eval "$(openeo-auth-tray agent)"' in message
    assert f"{tmp_path}/openeo-auth-tray/agent.sock" in message, "where it looked"
    assert "OPENEO_AUTH_TRAY_CLI" in message and isinstance(caught.value, AuthTrayError)
    # A CLI that is configured but cannot run is that error, not "start something".
    monkeypatch.setenv("OPENEO_AUTH_TRAY_CLI", "/nonexistent/openeo-auth-tray --flag")
    with pytest.raises(openeo_auth_tray.CliNotFound) as caught:
        openeo_auth_tray.connect()
    assert "/nonexistent/openeo-auth-tray" in str(caught.value)
