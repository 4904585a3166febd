"""The agent link and the chain on their own: the socket path (the same as the app's, checked
against the TypeScript rule itself), forwarded-socket discovery, the order of the chain, and
what the bridge does with an agent that misbehaves. Small scripted agents stand in for the real
one here, to misbehave on purpose; test_agent.py uses the real one."""

import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time

import pytest

from openeo_auth_tray import __version__, _agent, _chain, _cli
from openeo_auth_tray.errors import (
    AuthTrayError,
    CliNotFound,
    IdentityNotFound,
    KeychainUnavailable,
    LoginRequired,
    NoTokenSource,
    ScriptAccessDenied,
    Unreachable,
    UpdateRequired,
)
from conftest import REPO, node

SECRET = "eyJ.secret-access-token.sig"


def success(identity="cdse-1a2b3c", token=SECRET, **more):
    answer = {"status": "success", "access_token": token, "issuer": "https://idp", "expires_at": int(time.time()) + 600,
              "identity": identity, "label": "alice", "provider_id": "CDSE", "backend": "https://b", "api_url": "https://b/1.2",
              "bearer": f"oidc/CDSE/{token}", "kind": "personal"}
    answer.update(more)
    return json.dumps(answer).encode()


def info(version=__version__, protocol=1):
    """The agent's answer to ``openeo-auth-tray/info``."""
    return json.dumps({"status": "success", "name": "openeo-auth-tray", "version": version, "protocol": protocol, "pid": 1, "served_by": "app"}).encode()


class ScriptedAgent:
    """Listens at ``path``; ``reply(request) -> bytes | None`` answers each connection (None: close
    without a word); ``hold`` keeps the connection open without answering. ``openeo-auth-tray/info``
    is answered with ``about`` (this package's version) unless ``reply`` is to answer it too
    (``about=None``)."""

    def __init__(self, path, reply=None, hold=False, about=info()):
        answer = reply or (lambda request: success())
        self.path, self.hold = path, hold
        self.reply = answer if about is None else (lambda r: about if isinstance(r, dict) and r.get("request") == "openeo-auth-tray/info" else answer(r))
        self.requests = []
        self.sent_all = threading.Event()
        self.cut_off = threading.Event()
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(path)
        self.server.listen(8)
        self.server.settimeout(0.2)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stopped.is_set():
            try:
                conn, _ = self.server.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                text = b""
                while True:
                    try:
                        text += conn.recv(4096)
                        request = json.loads(text)
                        break
                    except ValueError:
                        continue
                    except OSError:
                        request = None
                        break
                self.requests.append(request)
                if self.hold:
                    self.stopped.wait(10)
                    continue
                answer = self.reply(request)
                if answer is None:
                    continue
                try:
                    conn.sendall(answer)
                    self.sent_all.set()
                except OSError:
                    self.cut_off.set()  # the client closed before it had all

    def close(self):
        self.stopped.set()
        self.thread.join(15)
        self.server.close()


@pytest.fixture
def folder():
    path = tempfile.mkdtemp(prefix="oat-", dir="/tmp")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def agent_at(folder):
    agents = []

    def start(name="agent.sock", **kwargs):
        agent = ScriptedAgent(os.path.join(folder, name), **kwargs)
        agents.append(agent)
        return agent

    yield start
    for agent in agents:
        agent.close()


# --- the socket path: the app's rule, to the byte -------------------------------------------------

PATH_CASES = [
    ("linux", {}),
    ("linux", {"XDG_RUNTIME_DIR": "/run/user/1000"}),
    ("linux", {"XDG_RUNTIME_DIR": "/run/user/1000/", "TMPDIR": "/var/tmp"}),
    ("linux", {"XDG_RUNTIME_DIR": "relative/run"}),
    ("linux", {"XDG_RUNTIME_DIR": "  /run/user/7 \t"}),
    ("linux", {"XDG_RUNTIME_DIR": "//run//user/../user/8/."}),
    ("linux", {"XDG_RUNTIME_DIR": "\ufeff/run/bom\u00a0"}),
    ("linux", {"XDG_RUNTIME_DIR": "   "}),
    ("linux", {"OPENEO_AUTH_TRAY_AGENT_DIR": "/srv/agent", "XDG_RUNTIME_DIR": "/run/user/1000"}),
    ("linux", {"OPENEO_AUTH_TRAY_AGENT_DIR": "rel/agent/"}),
    ("linux", {"OPENEO_AUTH_TRAY_AGENT_DIR": " ", "XDG_RUNTIME_DIR": "/run/x"}),
    ("linux", {"OPENEO_AUTH_TRAY_HOME": "/opt/oat"}),
    ("linux", {"OPENEO_AUTH_TRAY_HOME": "portable"}),
    ("linux", {"XDG_CONFIG_HOME": "/cfg"}),
    ("linux", {"XDG_CONFIG_HOME": "cfg"}),
    ("linux", {"XDG_CONFIG_HOME": "/cfg", "OPENEO_AUTH_TRAY_HOME": "/home/x/.oat"}),
    ("linux", {"TMPDIR": "/tmp/me"}),
    ("darwin", {}),
    ("darwin", {"TMPDIR": "/var/folders/xy/T/"}),
    ("darwin", {"TMPDIR": "T"}),
    ("darwin", {"XDG_RUNTIME_DIR": "/run/user/501", "XDG_CONFIG_HOME": "/cfg"}),
    ("darwin", {"OPENEO_AUTH_TRAY_HOME": "/Users/x/oat"}),
    ("darwin", {"OPENEO_AUTH_TRAY_AGENT_DIR": "/Users/x/agent", "TMPDIR": "/var/folders/T"}),
    ("freebsd", {"XDG_RUNTIME_DIR": "/var/run/user/1001"}),
    ("win32", {"XDG_RUNTIME_DIR": "/run/user/1000"}),
]
HOME = "/home/parity"
#: Python's platform names → Node's.
NODE_PLATFORM = {"linux": "linux", "darwin": "darwin", "freebsd": "freebsd", "win32": "win32"}


def test_the_default_socket_path_is_the_apps_for_every_environment():
    script = (
        "import('./src/main/core/agent/agent-folder.ts').then((m) => process.stdout.write(JSON.stringify("
        "JSON.parse(process.argv[1]).map(([platform, env]) => m.agentSocketPath(env, platform)))))"
    )
    cases = [[NODE_PLATFORM[p], env] for p, env in PATH_CASES]
    run = subprocess.run([node(), "--import", "tsx", "-e", script, json.dumps(cases)], cwd=REPO, capture_output=True, text=True, timeout=60,
                         env={**os.environ, "HOME": HOME})
    assert run.returncode == 0, run.stderr
    expected = json.loads(run.stdout)
    ours = [_chain.agent_socket_path(env, platform, HOME) for platform, env in PATH_CASES]
    assert ours == expected
    assert len(set(expected)) > 12, "the table reaches every branch of the rule"


def test_the_socket_path_reads_the_environment_and_home_by_default(monkeypatch):
    monkeypatch.setenv("HOME", HOME)
    for name in ("OPENEO_AUTH_TRAY_AGENT_DIR", "XDG_RUNTIME_DIR", "OPENEO_AUTH_TRAY_HOME", "XDG_CONFIG_HOME"):
        monkeypatch.delenv(name, raising=False)
    assert _chain.agent_socket_path(platform="linux") == f"{HOME}/.config/openeo-auth-tray/agent/agent.sock"
    monkeypatch.delenv("HOME")
    import pwd

    assert _chain.agent_socket_path(platform="linux") == f"{pwd.getpwuid(os.getuid()).pw_dir}/.config/openeo-auth-tray/agent/agent.sock"


# --- forwarded sockets ----------------------------------------------------------------------------

def listening(path, mtime):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen(1)
    os.utime(path, (mtime, mtime), follow_symlinks=False)
    return s


@pytest.mark.skipif(os.getuid() != 0, reason="giving a socket to another user needs root (the tests run as root)")
def test_forwarded_sockets_newest_first_only_this_users_sockets(folder):
    t = time.time()
    name = lambda i: os.path.join(folder, f"openeo-auth-tray-forward-{i}.sock")
    older, newer, theirs = listening(name("0000000a"), t - 300), listening(name("0000000b"), t - 100), listening(name("0000000c"), t - 10)
    os.chown(name("0000000c"), 4242, 4242)  # another user's, and the newest
    with open(name("0000000d"), "w"):  # a file, not a socket
        pass
    os.utime(name("0000000d"), (t, t))
    os.symlink(name("0000000b"), name("0000000e"))  # a link to a socket is not one
    other = listening(os.path.join(folder, "forward-0000000f.sock"), t)  # not the remote name
    try:
        assert _chain.forwarded_sockets([folder]) == [name("0000000b"), name("0000000a")]
        assert _chain.forwarded_sockets([folder], uid=4242) == [name("0000000c")]
        assert _chain.forwarded_sockets([folder, os.path.join(folder, "missing")]) == [name("0000000b"), name("0000000a")]
    finally:
        for s in (older, newer, theirs, other):
            s.close()


def test_forward_folders_are_tmp_and_the_temp_folder(monkeypatch, folder):
    monkeypatch.setattr(tempfile, "tempdir", folder)
    assert _chain.forward_folders() == ["/tmp", folder]
    monkeypatch.setattr(tempfile, "tempdir", "/tmp")
    assert _chain.forward_folders() == ["/tmp"]


# --- the chain ------------------------------------------------------------------------------------

def chain_env(folder, **more):
    env = {"XDG_RUNTIME_DIR": folder, "PATH": "/nonexistent"}
    env.update(more)
    return env


def fetch(chain):
    return chain.fetch(identity=None, min_valid=5)


def test_the_chain_asks_sock_then_the_default_then_forwards_then_the_cli(agent_at, folder):
    os.mkdir(os.path.join(folder, "openeo-auth-tray"))
    fwd = os.path.join(folder, "fwd")
    os.mkdir(fwd)
    default = agent_at("openeo-auth-tray/agent.sock", reply=lambda r: success(identity="from-default"))
    forwarded = agent_at("fwd/openeo-auth-tray-forward-1234abcd.sock", reply=lambda r: success(identity="from-forward"))
    env_sock = agent_at("env.sock", reply=lambda r: success(identity="from-env-sock"))

    assert fetch(_chain.TokenChain(chain_env(folder, OPENEO_AUTH_TRAY_SOCK=env_sock.path), folders=[fwd])).identity == "from-env-sock"
    assert fetch(_chain.TokenChain(chain_env(folder), folders=[fwd])).identity == "from-default"
    env_sock.close()
    assert fetch(_chain.TokenChain(chain_env(folder, OPENEO_AUTH_TRAY_SOCK=env_sock.path), folders=[fwd])).identity == "from-default", "a dead SOCK passes on"
    default.close()
    assert fetch(_chain.TokenChain(chain_env(folder), folders=[fwd])).identity == "from-forward"
    with pytest.raises(NoTokenSource):
        # With OPENEO_AUTH_TRAY_SOCK set, nothing is looked for in /tmp: that variable says where.
        fetch(_chain.TokenChain(chain_env(folder, OPENEO_AUTH_TRAY_SOCK=env_sock.path), folders=[fwd]))
    asked = [r["request"] for r in forwarded.requests]
    assert asked == ["openeo-auth-tray/info", "access_token"], "what it is once, then the token"


def test_the_cli_after_absent_agents_and_never_after_a_refusal(agent_at, folder, tmp_path):
    calls = tmp_path / "calls"
    cli = tmp_path / "fake-cli"
    token_line = json.dumps({"access_token": "cli-token", "expires_at": None, "bearer": "oidc/P/cli-token", "identity": "from-cli",
                             "provider_id": "P", "backend": "https://b", "kind": "personal"})
    cli.write_text(f"#!/bin/sh\necho x >> {calls}\necho '{token_line}'\n")
    cli.chmod(0o755)
    env = chain_env(folder, OPENEO_AUTH_TRAY_CLI=str(cli))
    assert fetch(_chain.TokenChain(env, folders=[folder])).identity == "from-cli"
    os.mkdir(os.path.join(folder, "openeo-auth-tray"))
    agent_at("openeo-auth-tray/agent.sock", reply=lambda r: json.dumps(
        {"status": "failure", "error": "This login has expired.", "info": "Sign in again.", "code": "REFRESH_TOKEN_INVALID", "exit_code": 3}).encode())
    with pytest.raises(LoginRequired):
        fetch(_chain.TokenChain(env, folders=[folder]))
    assert calls.read_text().count("x") == 1, "the CLI ran once: not after the agent's refusal"


def test_windows_has_no_agent_only_the_cli(agent_at, folder):
    agent_at("agent.sock")
    chain = _chain.TokenChain({"OPENEO_AUTH_TRAY_SOCK": os.path.join(folder, "agent.sock"), "OPENEO_AUTH_TRAY_AGENT_DIR": folder},
                              platform="win32", which=lambda name: None)
    with pytest.raises(NoTokenSource) as caught:
        fetch(chain)
    assert "eval" not in str(caught.value) and "OPENEO_AUTH_TRAY_CLI" in str(caught.value)
    with pytest.raises(CliNotFound):
        fetch(_chain.TokenChain({"OPENEO_AUTH_TRAY_CLI": "node 'unclosed"}, platform="win32"))


# --- an agent that misbehaves ----------------------------------------------------------------------

def ask(agent, timeout=10.0, **kw):
    return _agent.request_token(agent.path, timeout=timeout, hint="python (t.py)", **kw)


def test_the_request_is_oidc_agents_with_ours(agent_at):
    agent = agent_at()
    token = ask(agent, identity="alice", backend="https://b", min_valid=12.3456)
    assert agent.requests == [{"request": "access_token", "account": "alice", "backend": "https://b", "min_valid_period": 12.346,
                               "application_hint": "python (t.py)"}]
    assert token.access_token == SECRET and token.identity == "cdse-1a2b3c" and token.expires_at > time.time()
    assert SECRET not in repr(token)
    ask(agent, min_valid=float("inf"))
    assert agent.requests[-1]["min_valid_period"] == _agent.MAX_MIN_VALID, "never Infinity, which is not JSON"


@pytest.mark.parametrize("answer, why", [
    (b"not json", "Expecting value"),
    (b"[1, 2]", "not an object"),
    (b'{"status": "success", "status": "failure"}', "a key appears twice"),
    (b'{"status": "success", "expires_at": NaN}', "NaN is not JSON"),
    (b"\xff\xfe{}", "utf-8"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    (b'{"status": "maybe"}', "no status"),
    (success(expires_at=True), "expires_at"),
    (success(expires_at=-1), "expires_at"),
    (success(expires_at="2026-12-01T00:00:00Z"), "expires_at"),
    (success(kind="admin"), "kind"),
    (success(identity=""), "identity"),
    (success(token="a b"), "access_token is not a token"),
    (success(token="abc\r\nX-Evil: 1"), "access_token is not a token"),
])
def test_an_answer_that_is_not_a_token_answer_is_refused_without_quoting_it(agent_at, answer, why):
    agent = agent_at(reply=lambda r: answer)
    with pytest.raises(AuthTrayError) as caught:
        ask(agent)
    message = str(caught.value)
    assert caught.value.code == "INVALID_ANSWER" and why in message, message
    assert SECRET not in message and "Evil" not in message
    assert "\n" not in message and "\r" not in message


def test_an_answer_without_lifetime_has_none(agent_at):
    assert ask(agent_at(reply=lambda r: success(expires_at=0))).expires_at is None


def test_a_huge_answer_is_not_read_past_the_cap(agent_at):
    agent = agent_at(reply=lambda r: b'{"status": "failure", "error": "' + b"x" * (16 * 1024 * 1024) + b'"}')
    started = time.monotonic()
    with pytest.raises(AuthTrayError, match="larger than 256 KiB"):
        ask(agent)
    assert time.monotonic() - started < 5
    assert agent.cut_off.wait(10) and not agent.sent_all.is_set(), "the bridge stopped reading and closed: the 16 MiB never went out"


def test_a_silent_agent_is_unreachable_within_the_timeout(agent_at):
    agent = agent_at(hold=True)
    started = time.monotonic()
    with pytest.raises(Unreachable) as caught:
        ask(agent, timeout=0.5)
    assert time.monotonic() - started < 3
    assert "did not answer within" in str(caught.value) and caught.value.code == "TIMEOUT"


def test_a_connection_closed_without_a_word_is_an_absent_agent(agent_at, folder):
    with pytest.raises(_agent.AgentAbsent, match="without answering"):
        ask(agent_at(reply=lambda r: None))
    with pytest.raises(_agent.AgentAbsent, match="nothing listens"):
        _agent.request_token(os.path.join(folder, "nothing.sock"), timeout=5)
    with open(os.path.join(folder, "file.sock"), "w"):
        pass
    with pytest.raises(_agent.AgentAbsent):
        _agent.request_token(os.path.join(folder, "file.sock"), timeout=5)
    with pytest.raises(_agent.AgentAbsent, match="too long"):
        _agent.request_token(os.path.join(folder, "x" * 200, "agent.sock"), timeout=5)


@pytest.mark.parametrize("code, exit_code, cls", [
    ("REFRESH_TOKEN_INVALID", 3, LoginRequired),
    ("KEYCHAIN_LOCKED", 4, KeychainUnavailable),
    ("IDP_UNREACHABLE", 5, Unreachable),
    ("IDENTITY_AMBIGUOUS", 1, IdentityNotFound),
    ("IDENTITY_BACKEND_MISMATCH", 1, IdentityNotFound),
    ("LOCK_TIMEOUT", 1, Unreachable),
    ("SCRIPT_ACCESS_DENIED", 1, ScriptAccessDenied),
    ("AGENT_UNAVAILABLE", 1, NoTokenSource),
    ("INTERNAL", 1, AuthTrayError),
    ("not a code", 3, LoginRequired),
    (None, None, AuthTrayError),
])
def test_failures_map_as_the_clis_exit_codes_and_codes_do(agent_at, code, exit_code, cls):
    answer = {"status": "failure", "error": "What \x1b]52;c;Zm9v\x07happened.\u2028", "info": "What\x1b[2K to do.\n"}
    if code is not None:
        answer.update(code=code, exit_code=exit_code)
    with pytest.raises(AuthTrayError) as caught:
        ask(agent_at(reply=lambda r: json.dumps(answer).encode()))
    assert type(caught.value) is cls
    assert str(caught.value) == "What happened. What to do.", "control characters and escapes gone"
    assert caught.value.exit_code == exit_code
    assert caught.value.code == (code if code and code.isupper() else None)
    # One table for both ways of asking: the CLI's failure of the same kind is the same class.
    cli = _cli.error_from(exit_code or 1, json.dumps({"event": "error", "code": code}) if code else "", "x")
    assert type(cli) is cls


def test_the_application_hint_names_the_script():
    assert _agent.application_hint(["/home/me/jobs/ndvi.py", "--x"], {}) == "python (ndvi.py)"
    assert _agent.application_hint(["/venv/lib/site-packages/mytool/__main__.py"], {}) == "python (mytool)", "python -m mytool"
    assert _agent.application_hint([""], {}) == "python", "a REPL"
    assert _agent.application_hint(["-c"], {}) == "python"
    assert _agent.application_hint([], {}) == "python"
    assert _agent.application_hint(["/x/ipykernel_launcher.py"], {"ipykernel": object()}) == "python", "a notebook"
    assert _agent.application_hint(["/x/evil\x1b[2J\n.py"], {}) == "python (evil .py)"
    assert len(_agent.application_hint(["/x/" + "a" * 1000], {})) <= _agent.MAX_HINT
