"""Service accounts through the bridge; no secret where a script could leak it; exec."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import openeo_auth_tray
from conftest import REPO, TTL, run_script


def test_a_service_account_through_the_bridge_renews_without_its_secret(in_world):
    identity = in_world.service_account()
    connection = openeo_auth_tray.connect(identity=identity)
    me = connection.describe_account()
    assert me["user_id"] == "service-account-openeo-service"
    first = connection.auth.source.token.access_token
    time.sleep(TTL)
    assert connection.describe_account()["user_id"] == me["user_id"]
    assert connection.auth.source.token.access_token != first, "a new client-credentials token"
    assert connection.auth.source.token.kind == "client-credentials"
    assert all("SECRET" not in k for k in os.environ if k.startswith("OPENEO")), "no client secret in the environment"


def test_nothing_the_bridge_writes_holds_a_token(world, tmp_path):
    world.sign_in()
    home = tmp_path / "home"
    work = tmp_path / "work"
    for d in (home, work):
        d.mkdir()
    script = r"""
import json, logging, sys, time
logging.basicConfig(filename="debug.log", level=logging.DEBUG)  # everything the client and requests log
import openeo_auth_tray
connection = openeo_auth_tray.connect()
seen = set()
end = time.monotonic() + float(sys.argv[1])
while time.monotonic() < end:
    connection.describe_account()
    seen.add(connection.auth.source.token.access_token)
    time.sleep(0.5)
print(repr(connection), repr(connection.auth), repr(connection._oidc_auth_renewer), repr(connection.auth.source.token))
print(json.dumps(sorted(seen)))
"""
    env = world.env(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), XDG_DATA_HOME=str(home / ".local/share"),
                    XDG_CACHE_HOME=str(home / ".cache"), TMPDIR=str(tmp_path / "tmp"), PYTHONDONTWRITEBYTECODE="1")
    (tmp_path / "tmp").mkdir()
    run = subprocess.run([sys.executable, "-c", script, str(1.5 * TTL)], cwd=work, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    reprs, tokens_line = run.stdout.strip().splitlines()[-2:]
    tokens = json.loads(tokens_line)
    assert len(tokens) >= 2
    assert not any(t in reprs for t in tokens), "no token in any repr"
    assert not any(t in run.stderr for t in tokens)
    written = [p for d in (home, work, tmp_path / "tmp") for p in d.rglob("*") if p.is_file()]
    assert [p.name for p in written] == ["debug.log"], f"the bridge wrote {written}"
    log = (work / "debug.log").read_text()
    assert "describe" in log or "GET" in log or "/me" in log, "the debug log did record the requests"
    for token in tokens:
        assert token not in log, "no token in the DEBUG log of openeo, requests and urllib3"
    assert not (home / ".config" / "openeo-python-client").exists()
    assert not (home / ".local" / "share" / "openeo-python-client").exists()


def test_exec_hands_the_identity_to_a_bridge_script_with_no_arguments(world):
    personal = world.sign_in()
    service = world.service_account()
    code = "import openeo_auth_tray; print(openeo_auth_tray.connect().describe_account()['user_id'])"
    env = world.env()
    del env["OPENEO_AUTH_TRAY_CLI"]  # exec tells the child how to reach the CLI (not on this PATH)
    cli = world.info["cli"]
    for identity, user in ((personal, "alice"), (service, "service-account-openeo-service")):
        run = subprocess.run([*cli, "exec", identity, "--", sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr
        assert run.stdout.strip() == user


def test_the_snippet_from_the_tray_runs(world):
    identity = world.sign_in()
    snippet = subprocess.run(
        [os.environ.get("OPENEO_AUTH_TRAY_NODE", "node"), "--import", "tsx", "-e",
         "import('./src/main/core/tray/python-snippet.ts').then(m => process.stdout.write(m.pythonSnippet(JSON.parse(process.argv[1]))))",
         json.dumps({"id": identity, "label": "alice", "backend": world.backend_url, "provider": world.info["provider_id"]})],
        cwd=REPO, capture_output=True, text=True, check=True,
    ).stdout
    run = run_script(world, snippet + "\nprint(connection.describe_account()['user_id'])\n")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().splitlines()[-1] == "alice"
