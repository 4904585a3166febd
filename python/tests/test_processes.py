"""A bridged connection in other processes: a child forked while another thread renews (the
job manager's threads beside ``multiprocessing`` with fork) gets its tokens; a connection pickles
(without its token) and works in the processes of a spawn ``Pool``."""

import json
import multiprocessing
import os
import pickle
import signal
import stat
import subprocess
import sys
import textwrap
import threading
import time

import pytest

import openeo_auth_tray
from openeo_auth_tray._session import TokenSources
from conftest import enter, wait_until
from test_units import token

#: Longest a forked child may take for its token: a few CLI calls on a busy machine. A child that
#: deadlocked on a lock held at the fork would take forever.
CHILD_BOUND = 60


class Tokens:
    """A transport that hands out a new token per call."""

    key = "tokens"

    def __init__(self):
        self.n = 0

    def fetch(self, **kw):
        self.n += 1
        return token(self.n, time.time() + 600)


def wait_for_child(pid: int, bound: float) -> int:
    """The child's exit code; kills it and fails when it has not ended within ``bound`` seconds."""
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    pytest.fail(f"the forked child did not get a token within {bound} s: it hangs on a lock held at the fork")


def test_a_child_forked_while_other_threads_hold_the_bridges_locks_gets_its_tokens():
    sources = TokenSources()
    transport = Tokens()
    source = sources.get(transport, None, None)
    held, release = threading.Event(), threading.Event()

    def renewing():  # what a renewal on another thread holds, for as long as the fork takes
        with sources._lock, source._lock:
            held.set()
            release.wait(CHILD_BOUND)

    holder = threading.Thread(target=renewing)
    holder.start()
    assert held.wait(10)
    try:
        pid = os.fork()
        if pid == 0:  # the child: only this thread runs on
            code = 1
            try:
                assert sources.get(transport, None, None) is source
                assert source.renew_after_refusal(source.token.bearer).access_token != "at-1"
                code = 0
            finally:
                os._exit(code)
        assert wait_for_child(pid, 20) == 0
    finally:
        release.set()
        holder.join(10)


#: A CLI that, on its first call only, waits (for the file ``release``) before doing its work: a
#: renewal that takes a while. Writes ``slow-started`` when that call is waiting.
SLOW_FIRST_CALL = """#!/bin/sh
if mv {dir}/first {dir}/first.taken 2>/dev/null; then
  touch {dir}/slow-started
  i=0
  while [ ! -e {dir}/release ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done
fi
exec {cli} "$@"
"""


def _child_connects(pipe, connection) -> None:
    """In the forked child: a new connection (the bridge's shared sources, the renewing source's
    lock) and a request on the inherited one."""
    try:
        user = openeo_auth_tray.connect().describe_account()["user_id"]
        connection.auth.source.current()
        pipe.send(("ok", user))
    except BaseException as e:  # noqa: BLE001 - reported to the parent
        pipe.send(("error", f"{type(e).__name__}: {e}"))


def test_multiprocessing_fork_while_a_thread_renews_through_a_slow_cli(in_world, tmp_path, monkeypatch):
    in_world.sign_in()
    slow = tmp_path / "slow-cli"
    slow.write_text(SLOW_FIRST_CALL.format(dir=tmp_path, cli=in_world.cli))
    slow.chmod(slow.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("OPENEO_AUTH_TRAY_CLI", str(slow))
    connection = openeo_auth_tray.connect()  # no "first" file yet: the CLI answers at once
    source = connection.auth.source
    (tmp_path / "first").touch()
    renewal = threading.Thread(target=lambda: _quietly(source.renew_after_refusal, source.token.bearer))
    renewal.start()
    try:
        wait_until((tmp_path / "slow-started").exists, 30, "the renewal's CLI call starting")
        context = multiprocessing.get_context("fork")
        ours, theirs = context.Pipe(duplex=False)
        child = context.Process(target=_child_connects, args=(theirs, connection))
        child.start()
        theirs.close()
        if not ours.poll(CHILD_BOUND):
            child.kill()
            child.join(10)
            pytest.fail(f"the forked child did not get a token within {CHILD_BOUND} s: it hangs on a lock held at the fork")
        assert ours.recv() == ("ok", "alice")
        child.join(30)
        assert child.exitcode == 0
    finally:
        (tmp_path / "release").touch()
        renewal.join(90)
    assert not renewal.is_alive()


def _quietly(call, *args):
    try:
        call(*args)
    except openeo_auth_tray.AuthTrayError:
        pass  # what the renewal answered does not matter here, only that it held the lock


@pytest.fixture(params=["agent", "cli"])
def any_world(request, make_world):
    """A world whose tokens come from the agent, or (without one) from the CLI."""
    return make_world(agent=request.param == "agent")


def test_a_bridged_connection_pickles_without_its_token_and_shares_this_processs_source(any_world, monkeypatch):
    enter(any_world, monkeypatch)
    any_world.sign_in()
    connection = openeo_auth_tray.connect()
    assert connection.describe_account()["user_id"] == "alice"
    token = connection.auth.source.token
    calls = len(any_world.cli_calls())

    data = pickle.dumps(connection)
    assert token.access_token.encode() not in data and token.access_token[-24:].encode() not in data, "never the token"
    copy = pickle.loads(data)
    assert isinstance(copy.auth, openeo_auth_tray.TrayBearerAuth)
    assert copy.auth.source is connection.auth.source, "this process's one source for the login"
    assert copy._oidc_auth_renewer is copy.auth.renewer, "the client's renewal hook is the copy's own"
    assert copy.describe_account()["user_id"] == "alice"
    assert len(any_world.cli_calls()) == calls, "unpickled in the process that has the source: no call"
    assert copy.try_access_token_refresh._connection() is copy, "the client's renewal puts the self-renewing auth back on the copy"


#: A script as a user writes one: a connection, then a spawn Pool whose workers get it pickled.
SPAWN_POOL = textwrap.dedent("""
    import json, multiprocessing, os
    import openeo_auth_tray

    def whoami(connection):
        return connection.describe_account()["user_id"], os.getpid(), type(connection.auth).__name__

    if __name__ == "__main__":
        connection = openeo_auth_tray.connect()
        with multiprocessing.get_context("spawn").Pool(2) as pool:
            results = pool.map(whoami, [connection] * 4, chunksize=1)
        print(json.dumps({"results": results, "parent": os.getpid()}))
""")


def test_a_spawn_pool_works_with_a_pickled_bridged_connection(any_world, tmp_path):
    any_world.sign_in()
    script = tmp_path / "pool_job.py"
    script.write_text(SPAWN_POOL)
    env = any_world.env()
    run = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr[-3000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert [r[0] for r in out["results"]] == ["alice"] * 4
    assert {r[2] for r in out["results"]} == {"TrayBearerAuth"}
    workers = {r[1] for r in out["results"]}
    assert out["parent"] not in workers and 1 <= len(workers) <= 2, "the requests ran in the pool's processes"
    # Without an agent: one CLI call for the script, one per worker for its first task, none for the next.
    assert len(any_world.cli_calls()) <= (0 if any_world.info["agent_pid"] else 1 + len(workers))
    assert any_world.counters()["errors"] == {}
