"""The bridge through the token agent (the CLI's headless ``openeo-auth-tray agent``, a real one,
started by the test world): no subprocess and no Node; the chain's fallbacks; forwarded sockets;
the agent's answers against ``docs/agent-protocol.schema.json``."""

import json
import math
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import jsonschema
import pytest

import openeo_auth_tray
from openeo_auth_tray import _agent, _chain
from openeo_auth_tray.errors import AuthTrayError, IdentityNotFound, LoginRequired, NoTokenSource, ScriptAccessDenied
from conftest import HAMMER, REPO, TTL, enter

SCHEMA = json.loads((REPO / "docs" / "agent-protocol.schema.json").read_text())


@pytest.fixture
def agent_world(make_world):
    return make_world(agent=True)


@pytest.fixture
def in_agent_world(agent_world, monkeypatch):
    return enter(agent_world, monkeypatch)


@pytest.fixture
def empty_dir():
    """A short, empty folder (Unix socket paths are short); removed afterwards."""
    path = tempfile.mkdtemp(prefix="oat-", dir="/tmp")
    yield path
    shutil.rmtree(path, ignore_errors=True)


def without_cli(monkeypatch, empty_dir: str) -> None:
    """Neither ``openeo-auth-tray`` nor ``node`` can be found from here."""
    monkeypatch.delenv("OPENEO_AUTH_TRAY_CLI", raising=False)
    monkeypatch.setenv("PATH", empty_dir)


def refreshes(world) -> int:
    return world.counters()["byGrant"].get("refresh_token", 0)


#: A script that records every process it (or anything it imports) starts, through Python's audit
#: hooks, while it works through several token lifetimes; then starts one itself, as the control.
NO_CHILDREN = r"""
import json, subprocess, sys, time
spawned = []
sys.addaudithook(lambda event, args: spawned.append(event) if event in (
    "subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty", "pty.spawn") else None)
import openeo_auth_tray
seconds = float(sys.argv[1])
connection = openeo_auth_tray.connect()
tokens, rounds, started = set(), 0, time.monotonic()
while time.monotonic() - started < seconds:
    assert connection.describe_account()["user_id"] == "alice"
    assert connection.list_jobs() == []
    tokens.add(connection.auth.source.token.access_token)
    rounds += 1
    time.sleep(1)
by_bridge = list(spawned)
subprocess.run([sys.executable, "-c", "pass"], check=True)
print(json.dumps({"by_bridge": by_bridge, "control": spawned[len(by_bridge):], "tokens": len(tokens), "rounds": rounds,
                  "renewals": connection.auth.source.cli_calls}))
"""


def test_over_the_agent_a_script_runs_three_lifetimes_without_node_the_cli_or_any_subprocess(agent_world, empty_dir):
    agent_world.sign_in()
    env = agent_world.env(PATH=empty_dir)
    for name in ("OPENEO_AUTH_TRAY_CLI", "OPENEO_AUTH_TRAY_NODE", "OPENEO_AUTH_TRAY_SOCK"):
        env.pop(name, None)  # and the agent is found at its default place (the world's XDG_RUNTIME_DIR)
    before = refreshes(agent_world)
    run = subprocess.run([sys.executable, "-c", NO_CHILDREN, str(3.2 * TTL)], env=env, capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout.strip().splitlines()[-1])
    # Python 3.13 reports the posix_spawn under subprocess.Popen as well.
    assert out["control"][0] == "subprocess.Popen" and set(out["control"]) <= {"subprocess.Popen", "os.posix_spawn"}, "the audit hook sees a process being started"
    assert out["by_bridge"] == [], "the bridge started no process at all"
    assert out["tokens"] >= 3 and out["renewals"] >= 2, f"renewed across lifetimes: {out}"
    assert refreshes(agent_world) - before >= 2, "the agent refreshed at the IdP"
    assert agent_world.cli_calls() == []
    assert agent_world.counters()["errors"] == {}


def test_three_processes_and_eight_threads_through_the_agent_cost_one_refresh_per_token(agent_world, empty_dir):
    agent_world.sign_in()
    seconds = 2.6 * TTL
    env = agent_world.env(PATH=empty_dir)
    del env["OPENEO_AUTH_TRAY_CLI"]
    before = refreshes(agent_world)
    started = time.monotonic()
    procs = [
        subprocess.Popen([sys.executable, "-c", HAMMER, "8", str(seconds)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=seconds + 120)
        assert p.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    elapsed = time.monotonic() - started
    for r in results:
        assert r["errors"] == [], r["errors"][:3]
        assert r["requests"] > 8 * seconds and r["tokens"] >= 2, r
    assert agent_world.counters()["errors"] == {}, "0 invalid_grant (or any other refusal) at the IdP"
    # A token serves until its last quarter (the renewal margin) before anyone asks for the next:
    # one refresh per such span for all 24 threads, plus the first. Were processes refreshing on
    # their own, it would be about three times as many.
    span = TTL - TTL / 4
    refreshed = refreshes(agent_world) - before
    assert 1 <= refreshed <= math.ceil(elapsed / span) + 1, f"{refreshed} refreshes in {elapsed:.1f} s of {TTL} s tokens"
    assert agent_world.cli_calls() == []


def validator(name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator({**SCHEMA, "$ref": f"#/$defs/{name}"})


def ask(world, request: dict) -> dict:
    return _agent.parse_answer(_agent._exchange(world.agent_socket, request, 30))


def test_the_agents_answers_and_the_bridges_request_follow_the_schema(agent_world):
    identity = agent_world.sign_in()
    request = _agent.token_request(identity=identity, backend=agent_world.backend_url, min_valid=4.2, hint=_agent.application_hint())
    validator("accessTokenRequest").validate(request)
    validator("accessTokenRequest").validate(_agent.token_request(identity=identity, backend=None, min_valid=None, hint="python", refused="0123456789abcdef"))
    validator("accessTokenRequest").validate(_agent.token_request(identity=None, backend=None, min_valid=None, hint="python"))

    answer = ask(agent_world, request)
    validator("tokenAnswer").validate(answer)
    token = _agent.token_from(answer)
    assert token.identity == identity and token.expires_at and token.expires_at > time.time()
    assert token.bearer.endswith(token.access_token)
    failure = ask(agent_world, {**request, "account": "nobody"})
    validator("failureAnswer").validate(failure)
    assert failure["code"] == "IDENTITY_NOT_FOUND"
    validator("loadedAccountsAnswer").validate(ask(agent_world, {"request": "loaded_accounts"}))
    validator("infoAnswer").validate(ask(agent_world, {"request": "openeo-auth-tray/info"}))
    # The control: a token answer is not a failure answer, and a refresh token is refused.
    with pytest.raises(jsonschema.ValidationError):
        validator("failureAnswer").validate(answer)
    with pytest.raises(jsonschema.ValidationError):
        validator("tokenAnswer").validate({**answer, "refresh_token": "x"})


def test_failures_through_the_agent_raise_the_same_classes_and_never_fall_back(in_agent_world):
    identity = in_agent_world.sign_in()
    with pytest.raises(IdentityNotFound) as caught:
        openeo_auth_tray.connect(identity="nobody")
    assert caught.value.code == "IDENTITY_NOT_FOUND"
    connection = openeo_auth_tray.connect()
    assert connection.describe_account()["user_id"] == "alice"
    in_agent_world.control("/revoke", {"identity": identity})
    source = connection.auth.source
    with pytest.raises(LoginRequired) as caught:
        source.refresh()
    assert caught.value.exit_code == 3 and caught.value.code == "REFRESH_TOKEN_INVALID"
    assert f"openeo-auth-tray login {in_agent_world.backend_url}" in str(caught.value), "what to do, from the agent's info"
    assert in_agent_world.cli_calls() == [], "an agent's refusal is the answer: the CLI is not asked"


def test_scripts_may_not_use_a_login_set_to_deny(in_agent_world):
    identity = in_agent_world.sign_in()
    run = in_agent_world.run_cli("script-access", identity, "deny")
    assert run.returncode == 0, run.stderr
    with pytest.raises(ScriptAccessDenied) as caught:
        openeo_auth_tray.connect()
    assert caught.value.code == "SCRIPT_ACCESS_DENIED" and isinstance(caught.value, AuthTrayError)
    assert f"openeo-auth-tray script-access {identity} allow" in str(caught.value), "says how to allow it"
    assert in_agent_world.cli_calls() == []
    assert in_agent_world.run_cli("script-access", identity, "allow").returncode == 0
    assert openeo_auth_tray.connect().describe_account()["user_id"] == "alice"


def test_when_the_agent_stops_the_cli_takes_over_and_the_agent_again_when_it_is_back(in_agent_world):
    in_agent_world.sign_in()
    connection = openeo_auth_tray.connect()
    source = connection.auth.source
    assert in_agent_world.cli_calls() == []
    in_agent_world.agent("down")
    source.refresh()
    assert connection.describe_account()["user_id"] == "alice"
    assert len(in_agent_world.cli_calls()) == 1, "the renewal went to the CLI"
    in_agent_world.agent("up")
    source.refresh()
    assert connection.describe_account()["user_id"] == "alice"
    assert len(in_agent_world.cli_calls()) == 1, "and back to the agent"
    assert source.cli_calls == 2 and in_agent_world.counters()["errors"] == {}


def dead_socket(folder: str) -> str:
    """A socket file nobody listens on (an agent or an ssh session that ended)."""
    path = os.path.join(folder, "gone.sock")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.close()
    return path


def test_a_dead_openeo_auth_tray_sock_passes_to_the_cli_or_says_it_is_gone(in_world, monkeypatch, empty_dir):
    in_world.sign_in()
    gone = dead_socket(empty_dir)
    monkeypatch.setenv("OPENEO_AUTH_TRAY_SOCK", gone)
    assert openeo_auth_tray.connect().describe_account()["user_id"] == "alice"
    assert len(in_world.cli_calls()) == 1, "the CLI answered"

    without_cli(monkeypatch, empty_dir)
    monkeypatch.setattr(openeo_auth_tray, "_sources", openeo_auth_tray.TokenSources())
    with pytest.raises(NoTokenSource) as caught:
        openeo_auth_tray.connect()
    message = str(caught.value)
    assert gone in message and "OPENEO_AUTH_TRAY_SOCK" in message and "is gone" in message
    assert "the forward or its ssh connection has ended" in message and "openeo-auth-tray forward" in message
    assert 'eval "$(openeo-auth-tray agent)"' in message


class SshLikeRelay:
    """What sshd does for ``ssh -R remote:local``: listens at ``remote``; for each connection it
    connects to ``local`` and copies both ways. When ``local`` is gone (the forward ended) it
    closes the connection without a word."""

    def __init__(self, remote: str, local: str):
        self.local = local
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(remote)
        self.server.listen(16)
        self.server.settimeout(0.2)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while not self.stopped.is_set():
            try:
                client, _ = self.server.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket):
        upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            upstream.settimeout(30)
            upstream.connect(self.local)
        except OSError:
            client.close()
            upstream.close()
            return
        client.settimeout(30)

        def copy(src, dst):
            try:
                while chunk := src.recv(65536):
                    dst.sendall(chunk)
                dst.shutdown(socket.SHUT_WR)
            except OSError:
                pass

        back = threading.Thread(target=copy, args=(upstream, client), daemon=True)
        back.start()
        copy(client, upstream)
        back.join(30)
        client.close()
        upstream.close()

    def close(self):
        self.stopped.set()
        self.thread.join(5)
        self.server.close()


def test_on_a_remote_machine_the_forwarded_socket_is_found_and_its_end_is_said(agent_world, monkeypatch, empty_dir):
    identity = agent_world.sign_in()
    run = agent_world.run_cli("forward", identity, "--for", "10m", "--json")
    assert run.returncode == 0, run.stderr
    forward = json.loads(run.stdout)
    remote = os.path.join(empty_dir, os.path.basename(forward["remote_socket"]))
    relay = SshLikeRelay(remote, forward["socket"])
    try:
        enter(agent_world, monkeypatch)
        # The remote machine: no agent of its own, no CLI, nothing set; the forward in "/tmp".
        monkeypatch.delenv("OPENEO_AUTH_TRAY_SOCK")
        monkeypatch.setenv("XDG_RUNTIME_DIR", os.path.join(empty_dir, "runtime"))
        monkeypatch.setattr(_chain, "FORWARD_FOLDERS", (empty_dir,))
        without_cli(monkeypatch, empty_dir)
        connection = openeo_auth_tray.connect()
        assert connection.describe_account()["user_id"] == "alice"

        assert agent_world.run_cli("forward", "--stop", forward["id"]).returncode == 0
        source = connection.auth.source
        with pytest.raises(NoTokenSource) as caught:
            source.renew_after_refusal(source.token.bearer)
        assert empty_dir in str(caught.value) and "(1 tried)" in str(caught.value), str(caught.value)
    finally:
        relay.close()
