"""The command line as a peer that may misbehave: it runs in its own session (a terminal's Ctrl-C
is the script's, not the refresh's), its timeout ends its whole process group and never waits
unbounded, its output is read up to a cap, and its last JSON line is its answer."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import openeo_auth_tray
from conftest import wait_until

TOKEN_LINE = json.dumps({"access_token": "t", "expires_at": None, "bearer": "oidc/P/t", "identity": "i", "provider_id": "P",
                         "backend": "https://b", "kind": "personal"})


def executable(path: Path, text: str) -> str:
    path.write_text(text)
    path.chmod(0o755)
    return str(path)


def run_python(code: str, *args: str, timeout: float) -> dict:
    """Runs ``code`` in a Python of its own (so a call that never returns cannot hang the tests);
    returns the JSON object it printed last."""
    env = dict(os.environ)
    try:
        run = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the call did not return within {timeout} s")
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


def gone(pid: int) -> bool:
    """True when ``pid`` is no longer running (gone, or a zombie nobody reaped yet)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


#: Calls the CLI once with a timeout; prints what happened, how long it took and the peak memory.
CALL = textwrap.dedent("""
    import json, resource, sys, time
    import requests
    from openeo_auth_tray import _cli
    cli, timeout = sys.argv[1], float(sys.argv[2])
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    try:
        token = _cli.request_token([cli], timeout=timeout)
        out = {"identity": token.identity}
    except Exception as e:
        out = {"error": type(e).__name__, "code": getattr(e, "code", None), "message": str(e),
               "connection_error": isinstance(e, requests.ConnectionError)}
    out["took"] = time.monotonic() - started
    out["rss_growth_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
    print(json.dumps(out))
""")

#: A wrapper script whose own child (the grandchild) sleeps with the pipes open; it writes its pid.
#: ``{trap}`` makes both ignore SIGTERM (an ignored signal stays ignored across exec).
STUCK_WRAPPER = """#!/bin/sh
{trap}
sh -c 'echo $$ > {pidfile}; exec sleep 600'
"""


@pytest.mark.parametrize("trap", ["", "trap '' TERM"], ids=["ends-on-sigterm", "ignores-sigterm"])
def test_a_timeout_ends_the_clis_whole_process_group_and_never_waits_unbounded(tmp_path, trap):
    pidfile = tmp_path / "grandchild.pid"
    cli = executable(tmp_path / "stuck-cli", STUCK_WRAPPER.format(trap=trap, pidfile=pidfile))
    timeout, grace = 2, 5  # grace: the SIGTERM → SIGKILL pause of _cli
    try:
        out = run_python(CALL, cli, str(timeout), timeout=timeout + grace + 30)
        assert out["error"] == "Unreachable" and out["code"] == "TIMEOUT" and out["connection_error"], out
        assert "did not answer within 2 s" in out["message"]
        bound = timeout + (grace if trap else 0) + 3
        assert timeout <= out["took"] < bound, f"returned after {out['took']:.1f} s (bound {bound} s)"
        grandchild = int(pidfile.read_text())
        wait_until(lambda: gone(grandchild), 10, "the grandchild ending")
    finally:
        if pidfile.exists() and not gone(int(pidfile.read_text())):
            os.kill(int(pidfile.read_text()), signal.SIGKILL)


def test_an_answer_is_taken_when_the_cli_ended_but_left_a_child_holding_its_pipes(tmp_path):
    pidfile = tmp_path / "left.pid"
    cli = executable(tmp_path / "leaving-cli", f"#!/bin/sh\necho '{TOKEN_LINE}'\nsh -c 'echo $$ > {pidfile}; exec sleep 600' &\n")
    try:
        out = run_python(CALL, cli, "60", timeout=90)
        assert out.get("identity") == "i", out
        assert out["took"] < 2 + 3, f"took {out['took']:.1f} s: the answer was there once the CLI ended (2 s for its pipes)"
        wait_until(lambda: gone(int(pidfile.read_text())), 10, "what it left ending with its process group")
    finally:
        if pidfile.exists() and not gone(int(pidfile.read_text())):
            os.kill(int(pidfile.read_text()), signal.SIGKILL)


@pytest.mark.parametrize("stream", ["stdout", "stderr"])
def test_300_mb_of_output_is_cut_off_at_the_cap_and_memory_stays_small(tmp_path, stream):
    redirect = " >&2" if stream == "stderr" else ""
    cli = executable(tmp_path / "flood-cli", f"#!/bin/sh\nhead -c 300000000 /dev/zero{redirect}\necho '{TOKEN_LINE}'\n")
    out = run_python(CALL, cli, "60", timeout=120)
    assert out["error"] == "AuthTrayError" and out["code"] == "INVALID_ANSWER", out
    assert "more than 1 MiB" in out["message"], out["message"]
    # The cap (1 MiB per stream) and a few chunks, not the 300 MB (666 MiB peak RSS before).
    assert out["rss_growth_kib"] < 16 * 1024, f"the peak RSS grew by {out['rss_growth_kib'] // 1024} MiB"
    assert out["took"] < 30


def test_the_last_json_line_is_the_answer_even_with_a_wrapper_line_after_it(tmp_path):
    cli = executable(tmp_path / "chatty-cli", f"#!/bin/sh\necho 'wrapper: starting'\necho '{TOKEN_LINE}'\necho 'wrapper: done'\n")
    out = run_python(CALL, cli, "60", timeout=120)
    assert out.get("identity") == "i", out


def test_a_wrapper_around_the_real_cli_that_says_more_after_it(in_world, tmp_path, monkeypatch):
    in_world.sign_in()
    wrapper = executable(tmp_path / "wrapper", f'#!/bin/sh\n{in_world.cli} "$@"\nrc=$?\necho "wrapper: done ($rc)"\nexit $rc\n')
    monkeypatch.setenv("OPENEO_AUTH_TRAY_CLI", wrapper)
    assert openeo_auth_tray.connect().describe_account()["user_id"] == "alice"
    assert len(in_world.cli_calls()) == 1


#: A CLI that notes any SIGINT it gets, says it started, waits for the file ``release`` (bounded),
#: then notes that it finished its work and answers.
INTERRUPTIBLE_CLI = """#!{python}
import os, signal, sys, time
d = {dir!r}
signal.signal(signal.SIGINT, lambda *a: open(os.path.join(d, "signals"), "a").write("INT\\n"))
open(os.path.join(d, "started"), "w").close()
end = time.monotonic() + 60
while not os.path.exists(os.path.join(d, "release")) and time.monotonic() < end:
    time.sleep(0.05)
open(os.path.join(d, "finished"), "w").close()
print({token!r})
"""

SCRIPT_ASKING = textwrap.dedent("""
    import sys
    from openeo_auth_tray import _cli
    _cli.request_token([sys.argv[1]], timeout=120)
""")


def test_ctrl_c_in_the_terminal_reaches_the_script_and_not_the_cli(tmp_path):
    cli = executable(tmp_path / "cli", INTERRUPTIBLE_CLI.format(python=sys.executable, dir=str(tmp_path), token=TOKEN_LINE))
    env = dict(os.environ)
    # The script as a terminal runs it: the foreground process group, which Ctrl-C signals as a whole,
    # with Ctrl-C's default meaning (a test runner started in the background, as `cmd &` in a
    # script, has SIGINT ignored, and its children would inherit that).
    script = subprocess.Popen([sys.executable, "-c", SCRIPT_ASKING, cli], env=env, stderr=subprocess.PIPE, text=True, start_new_session=True,
                              preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        wait_until((tmp_path / "started").exists, 30, "the CLI starting")
        os.killpg(script.pid, signal.SIGINT)
        _, err = script.communicate(timeout=30)
        assert "KeyboardInterrupt" in err, "the script got the Ctrl-C"
        (tmp_path / "release").touch()
        wait_until((tmp_path / "finished").exists, 30, "the CLI finishing its work")
        assert not (tmp_path / "signals").exists(), "the CLI got no SIGINT: a refresh it runs finishes and saves"
    finally:
        (tmp_path / "release").touch()
        if script.poll() is None:
            script.kill()
            script.wait()
