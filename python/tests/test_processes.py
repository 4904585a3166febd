"""A bridged connection in other processes: a child forked while another thread renews (the
job manager's threads beside ``multiprocessing`` with fork) gets its tokens."""

import multiprocessing
import os
import signal
import stat
import threading
import time

import pytest

import openeo_auth_tray
from openeo_auth_tray._session import TokenSources
from conftest import wait_until
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
