"""The real parts for the bridge's tests: the project's test IdP (oidc-provider, rotating refresh
tokens, short access tokens) behind a fault proxy, the fixture openEO backend, a private
gnome-keyring, the built CLI and (``make_world(agent=True)``) the CLI's headless token agent, all
started by ``test/fixtures/python-world.ts``; the real ``openeo`` package from PyPI (pinned in
``python/constraints.txt``).

Every CLI call goes through a small counting wrapper, so tests can tell how many calls a script
made (per process) without trusting the bridge's own numbers.
"""

import json
import os
import shlex
import shutil
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Dict, List, Optional

import pytest

REPO = Path(__file__).resolve().parents[2]
LAUNCHER = REPO / "test" / "fixtures" / "python-world.ts"
CLI_BUNDLE = REPO / "dist" / "cli" / "openeo-auth-tray.cjs"
#: Short access tokens: three lifetimes fit in a test, long enough for a CLI call on a busy machine.
TTL = 8

#: Runs N threads on one connection for a while; prints what happened as JSON.
HAMMER = r"""
import json, sys, threading, time
import openeo_auth_tray
threads, seconds = int(sys.argv[1]), float(sys.argv[2])
connection = openeo_auth_tray.connect()
errors, requests_done, tokens = [], [0], set()
lock = threading.Lock()
def work():
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            assert connection.describe_account()["user_id"] == "alice"
            with lock:
                requests_done[0] += 1
                tokens.add(connection.auth.source.token.access_token)
        except Exception as e:
            with lock:
                errors.append(f"{type(e).__name__}: {e}")
        time.sleep(0.2)
ts = [threading.Thread(target=work) for _ in range(threads)]
for t in ts: t.start()
for t in ts: t.join()
print(json.dumps({"errors": errors, "requests": requests_done[0], "renewals": connection.auth.source.cli_calls, "tokens": len(tokens)}))
"""


def node() -> str:
    return os.environ.get("OPENEO_AUTH_TRAY_NODE") or shutil.which("node") or "node"


class World:
    """One running test world; ``stop()`` ends it (the fixture does)."""

    def __init__(self, tmp: Path, **options):
        if not CLI_BUNDLE.exists():
            pytest.fail(f"{CLI_BUNDLE} is missing: run `npm run build` first (npm test does)")
        self.proc = subprocess.Popen(
            [node(), "--import", "tsx", str(LAUNCHER), json.dumps(options)],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the test world did not start (exit {self.proc.wait(timeout=30)})")
        self.info = json.loads(line)
        self.tmp = tmp
        self.calls_file = tmp / "cli-calls.log"
        self.calls_file.touch()
        wrapper = tmp / "counting-cli.sh"
        wrapper.write_text(
            "#!/bin/sh\n"
            f'echo "$PPID $*" >> {shlex.quote(str(self.calls_file))}\n'
            f'exec {" ".join(shlex.quote(p) for p in self.info["cli"])} "$@"\n'
        )
        wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
        self.cli = str(wrapper)

    @property
    def backend_url(self) -> str:
        return self.info["backend_url"]

    @property
    def agent_socket(self) -> str:
        """Where the world's agent listens (or would)."""
        return self.info["agent_socket"]

    def env(self, **more: str) -> Dict[str, str]:
        """The environment a script runs in: the private keyring, the settings folder, the
        counting CLI, ``OPENEO_AUTH_TRAY_SOCK`` at the world's agent (as ``eval "$(openeo-auth-tray
        agent)"`` sets it; whether it runs or not), which also keeps other people's forwarded
        sockets in /tmp out of the world; no identity chosen."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENEO_AUTH_TRAY_IDENTITY", "OPENEO_AUTH_TRAY_AGENT_DIR"))}
        env.update(self.info["env"])
        env["OPENEO_AUTH_TRAY_CLI"] = self.cli
        env["OPENEO_AUTH_TRAY_SOCK"] = self.agent_socket
        env.update(more)
        return env

    def agent(self, state: str) -> dict:
        """Starts (``"up"``) or stops (``"down"``) the world's token agent; waits until it has."""
        return self.control("/agent", {"state": state})

    def run_cli(self, *args: str) -> subprocess.CompletedProcess:
        """The CLI itself (not the counting wrapper), in the world's environment."""
        return subprocess.run([*self.info["cli"], *args], env=self.env(), capture_output=True, text=True, timeout=120)

    def control(self, path: str, body: Optional[dict] = None) -> dict:
        req = urllib.request.Request(
            self.info["control_url"] + path,
            data=None if body is None else json.dumps(body).encode(),
            method="GET" if body is None else "POST",
            headers={"content-type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=90) as res:
            return json.loads(res.read())

    def sign_in(self, label: str = "alice") -> str:
        return self.control("/sign-in", {"label": label})["identity"]

    def service_account(self, label: str = "robot") -> str:
        return self.control("/service-account", {"label": label})["identity"]

    def counters(self) -> dict:
        return self.control("/counters")

    def cli_calls(self) -> List[List[str]]:
        """Every CLI call so far: [parent pid, arguments…]."""
        return [line.split() for line in self.calls_file.read_text().splitlines() if line.strip()]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def make_world(tmp_path_factory):
    worlds: List[World] = []

    def make(**options) -> World:
        options.setdefault("accessTokenTtl", TTL)
        world = World(tmp_path_factory.mktemp("world"), **options)
        worlds.append(world)
        return world

    yield make
    for world in worlds:
        world.stop()


@pytest.fixture
def world(make_world) -> World:
    return make_world()


def enter(world: World, monkeypatch) -> World:
    """This test process runs like a script in the world (its environment), with a fresh bridge."""
    for key, value in world.env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("OPENEO_AUTH_TRAY_IDENTITY", raising=False)
    monkeypatch.delenv("OPENEO_AUTH_TRAY_AGENT_DIR", raising=False)
    import openeo_auth_tray

    monkeypatch.setattr(openeo_auth_tray, "_sources", openeo_auth_tray.TokenSources())
    return world


@pytest.fixture
def in_world(world, monkeypatch):
    """A world without an agent, entered: the bridge gets its tokens from the (counting) CLI."""
    return enter(world, monkeypatch)


def run_script(world: World, code: str, *args: str, env: Optional[Dict[str, str]] = None, timeout: float = 180) -> subprocess.CompletedProcess:
    """Runs a Python script in its own process, in the world's environment."""
    full_env = world.env(**(env or {}))
    return subprocess.run([sys.executable, "-c", code, *args], env=full_env, capture_output=True, text=True, timeout=timeout)


def wait_until(predicate, timeout: float, what: str, step: float = 0.1):
    """Bounded wait for a condition."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"{what} did not happen within {timeout} s")
