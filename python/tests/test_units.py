"""The bridge's decisions on their own: when to renew, single-flight, reading the CLI's answers.
A scripted fetch stands in for the CLI here; the other test files use the real one."""

import hashlib
import json
import socket
import threading

import pytest

from openeo_auth_tray import _cli
from openeo_auth_tray._session import REFUSAL_PAUSE, TokenSource, TokenSources
from openeo_auth_tray._token import fingerprint
from openeo_auth_tray.errors import AuthTrayError, CliNotFound, IdentityNotFound, KeychainUnavailable, LoginRequired, Unreachable


class Clock:
    def __init__(self, now=1_000_000.0):
        self.now = now

    def __call__(self):
        return self.now


def token(n, expires_at, identity="cdse-1a2b3c"):
    return _cli.Token(access_token=f"at-{n}", expires_at=expires_at, bearer=f"oidc/CDSE/at-{n}", identity=identity,
                      label="me", provider_id="CDSE", backend="https://b", api_url="https://b/openeo/1.2", kind="personal")


class ScriptedFetch:
    """Answers like the CLI: the same token while it satisfies min_valid, else a new one; after a
    refusal of the current token a new one, unless it is younger than ``moments`` seconds."""

    def __init__(self, clock, life, moments=5):
        self.clock, self.life, self.moments, self.calls, self.n = clock, life, moments, [], 0
        self.current = token(0, clock() + life)
        self.renewed_at = clock()
        self.gate = None

    def __call__(self, *, identity, min_valid, backend=None, refused=None):
        self.calls.append(min_valid if refused is None else ("refused", refused))
        if self.gate:
            self.gate.wait(5)
        if refused is not None and refused == fingerprint(self.current.access_token):
            if self.clock() - self.renewed_at < self.moments:
                raise Unreachable("https://b refuses the access token of \"me\" although it was renewed 1 s ago.", code="TOKEN_REFUSED_AFTER_RENEWAL", exit_code=5)
            min_valid = float("inf")
        if min_valid is not None and self.current.expires_at - self.clock() < min_valid:
            self.n += 1
            self.current = token(self.n, self.clock() + self.life)
            self.renewed_at = self.clock()
        return self.current


def test_a_ten_minute_token_is_renewed_60_s_before_its_end():
    clock = Clock()
    fetch = ScriptedFetch(clock, 600)
    source = TokenSource(fetch.current, fetch, clock=clock)
    assert source.margin() == 60
    clock.now += 539
    assert source.current().access_token == "at-0" and fetch.calls == []
    clock.now += 2
    assert source.current().access_token == "at-1"
    assert fetch.calls == [120], "asks for a token that outlives the margin twice"


def test_a_20_s_token_is_renewed_in_its_last_quarter_not_on_every_call():
    clock = Clock()
    fetch = ScriptedFetch(clock, 20)
    source = TokenSource(fetch.current, fetch, clock=clock)
    assert source.margin() == 5
    for _ in range(14):
        clock.now += 1
        source.current()
    assert fetch.calls == []
    clock.now += 1.5  # 4.5 s left
    assert source.current().access_token == "at-1"
    assert fetch.calls == [10]
    # Over five minutes: one call per token, each when it had less than its last quarter left.
    renewed_at, tokens = [], {source.current().access_token}
    for _ in range(300):
        clock.now += 1
        before = len(fetch.calls)
        tokens.add(source.current().access_token)
        if len(fetch.calls) > before:
            renewed_at.append(clock.now)
    assert len(renewed_at) == len(tokens) - 1 >= 17
    assert all(b - a >= 15 for a, b in zip(renewed_at, renewed_at[1:])), "a 20 s token serves 15 s or more"


def test_a_token_without_lifetime_is_never_renewed_before_a_request():
    clock = Clock()
    first = token(0, None)
    source = TokenSource(first, lambda **kw: pytest.fail("no CLI call"), clock=clock)
    clock.now += 10 * 86400
    assert source.current() is first


def test_threads_share_one_renewal():
    clock = Clock()
    fetch = ScriptedFetch(clock, 600)
    source = TokenSource(fetch.current, fetch, clock=clock)
    clock.now += 590
    fetch.gate = threading.Event()
    got = []
    threads = [threading.Thread(target=lambda: got.append(source.current().access_token)) for _ in range(16)]
    for t in threads:
        t.start()
    fetch.gate.set()
    for t in threads:
        t.join(10)
    assert got == ["at-1"] * 16
    assert len(fetch.calls) == 1


def test_after_a_refusal_one_call_for_all_threads_and_none_for_an_old_token():
    clock = Clock()
    fetch = ScriptedFetch(clock, 600)
    source = TokenSource(fetch.current, fetch, clock=clock)
    clock.now += 100
    refused = source.token.bearer
    assert source.renew_after_refusal(refused).access_token == "at-1"
    assert fetch.calls == [("refused", hashlib.sha256(b"at-0").hexdigest()[:16])], "says which token was refused"
    assert source.renew_after_refusal(refused).access_token == "at-1", "already replaced"
    assert len(fetch.calls) == 1


def test_a_token_refused_moments_after_its_renewal_is_not_renewed_again_for_a_while():
    clock = Clock()
    fetch = ScriptedFetch(clock, 600)
    source = TokenSource(fetch.current, fetch, clock=clock)
    clock.now += 1
    for _ in range(5):  # a backend refusing every token: one question, then the same answer without asking
        with pytest.raises(Unreachable) as caught:
            source.renew_after_refusal(source.token.bearer)
        assert caught.value.code == "TOKEN_REFUSED_AFTER_RENEWAL" and "refuses the access token" in str(caught.value)
        clock.now += 0.5
    assert len(fetch.calls) == 1 and fetch.n == 0
    clock.now += REFUSAL_PAUSE
    assert source.renew_after_refusal(source.token.bearer).access_token == "at-1", "asked again after the pause: renewed"
    assert len(fetch.calls) == 2


def test_refresh_gets_a_new_token_whatever_the_current_ones_life():
    clock = Clock()
    fetch = ScriptedFetch(clock, 600)
    source = TokenSource(fetch.current, fetch, clock=clock)
    assert source.refresh().access_token == "at-1" and source.token.access_token == "at-1"


def test_an_answer_for_another_identity_is_refused():
    clock = Clock()
    source = TokenSource(token(0, clock() + 1), lambda **kw: token(1, clock() + 600, identity="other-9f9f9f"), clock=clock)
    clock.now += 1
    with pytest.raises(AuthTrayError, match="instead of"):
        source.current()
    assert source.token.identity == "cdse-1a2b3c"


class Answers:
    """A transport that hands out the given tokens in turn."""

    def __init__(self, *tokens, key="t"):
        self.tokens, self.key = list(tokens), key

    def fetch(self, **kw):
        return self.tokens.pop(0)


def test_sources_are_shared_per_identity_and_transport():
    clock = Clock()
    sources = TokenSources(clock=clock)
    a = sources.get(Answers(token(0, clock() + 100)), None, None)
    b = sources.get(Answers(token(1, clock() + 200)), "cdse-1a2b3c", None)
    assert a is b and a.token.access_token == "at-1", "the newer first token is taken"
    c = sources.get(Answers(token(2, clock() + 300), key="other"), None, None)
    assert c is not a, "another transport (another agent or CLI) has its own source"


@pytest.mark.parametrize("exit_code, cls", [(3, LoginRequired), (4, KeychainUnavailable), (5, Unreachable), (1, AuthTrayError), (2, AuthTrayError)])
def test_exit_codes_become_exceptions_with_the_clis_line(exit_code, cls):
    e = _cli.error_from(exit_code, "", "openeo-auth-tray: Something \x1b]52;c;Zm9v\x07happened.\x1b[2K Do this.\n")
    assert type(e) is cls and e.exit_code == exit_code
    assert str(e) == "Something happened. Do this.", "escape sequences gone, prefix gone"


def test_error_codes_from_the_json_line_refine_the_class():
    out = json.dumps({"event": "error", "code": "IDENTITY_AMBIGUOUS", "message": "x"})
    e = _cli.error_from(1, out + "\n", "openeo-auth-tray: There are 2 logins; say which one. Name one of: a (A), b (B)\n")
    assert isinstance(e, IdentityNotFound) and e.code == "IDENTITY_AMBIGUOUS" and "a (A), b (B)" in str(e)
    assert isinstance(_cli.error_from(1, json.dumps({"event": "error", "code": "LOCK_TIMEOUT"}), "x"), Unreachable)
    long = _cli.error_from(1, "", "y" * 5000)
    assert len(str(long)) <= _cli.MAX_MESSAGE


def test_a_silent_failure_still_says_something():
    assert "exit code 1" in str(_cli.error_from(1, "", ""))


def test_parse_token_reads_the_cli_answer_and_refuses_others():
    t = _cli.parse_token(json.dumps({"access_token": "a", "expires_at": "2026-12-03T10:00:00.000Z", "bearer": "oidc/P/a", "identity": "i",
                                     "label": "L", "provider_id": "P", "backend": "https://b", "api_url": "https://b/1.2", "kind": "personal"}))
    assert t.expires_at == 1796292000.0 and t.bearer == "oidc/P/a" and "a" not in repr(t).replace("identity", "").replace("expires_at", "")
    assert _cli.parse_token(json.dumps({"access_token": "a", "expires_at": None, "bearer": "b", "identity": "i", "provider_id": "P",
                                        "backend": "https://b", "kind": "personal"})).expires_at is None
    header_breaker = {"access_token": "a\r\nX: y", "bearer": "oidc/P/a\r\nX: y", "identity": "i", "provider_id": "P", "backend": "b", "kind": "personal"}
    for bad in ["", "[]", "{}", "not json", json.dumps({"access_token": 1}), json.dumps(header_breaker)]:
        with pytest.raises(ValueError):
            _cli.parse_token(bad)


def test_find_cli():
    assert _cli.find_cli({"OPENEO_AUTH_TRAY_CLI": "node '/opt/my app/cli.cjs'"}) == ["node", "/opt/my app/cli.cjs"]
    assert _cli.find_cli({}, which=lambda name: f"/usr/bin/{name}") == ["/usr/bin/openeo-auth-tray"]
    with pytest.raises(CliNotFound, match="OPENEO_AUTH_TRAY_CLI"):
        _cli.find_cli({}, which=lambda name: None)
    with pytest.raises(CliNotFound, match="not a valid command line"):
        _cli.find_cli({"OPENEO_AUTH_TRAY_CLI": "node 'unclosed"})


def test_the_bridge_waits_longer_than_the_cli():
    assert _cli.default_timeout({}) == 150
    assert _cli.default_timeout({"OPENEO_AUTH_TRAY_TIMEOUT": "2"}) == 66
    # Read as the CLI reads it: not a finite number above 0 is the default.
    for junk in ("junk", "inf", "-inf", "nan", "-5", "0", "1e400"):
        assert _cli.default_timeout({"OPENEO_AUTH_TRAY_TIMEOUT": junk}) == 150, junk
    # A huge finite value is capped where every socket and subprocess timeout can hold it.
    assert _cli.default_timeout({"OPENEO_AUTH_TRAY_TIMEOUT": "1e300"}) == _cli.MAX_TIMEOUT
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(_cli.MAX_TIMEOUT)
