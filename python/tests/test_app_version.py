"""One version, and "update openEO Auth Tray": the package's version is package.json's, it is the
installed wheel that runs here (not the source tree), and an agent or a CLI older than the
package needs is named as such instead of failing strangely. Scripted agents and CLIs stand in
for old ones (no old release exists to install); the real, current ones must pass the same check."""

import json
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

import openeo_auth_tray
from openeo_auth_tray import _app_version, _chain, _cli
from openeo_auth_tray.errors import AuthTrayError, LoginRequired, UpdateRequired
from conftest import CLI_BUNDLE, REPO, node
from test_agent_units import ScriptedAgent, agent_at, chain_env, fetch, folder, info, success  # noqa: F401 (fixtures)

PACKAGE_JSON_VERSION = json.loads((REPO / "package.json").read_text())["version"]


def test_the_version_is_package_jsons_and_the_installed_wheels():
    assert openeo_auth_tray.__version__ == PACKAGE_JSON_VERSION
    assert metadata.version("openeo-auth-tray") == PACKAGE_JSON_VERSION


def test_the_package_under_test_is_the_installed_wheel_not_the_source_tree():
    module = Path(openeo_auth_tray.__file__).resolve()
    assert (REPO / "python") not in module.parents, f"imported from the source tree: {module}"
    assert Path(sys.prefix).resolve() in module.parents, f"not inside this environment ({sys.prefix}): {module}"
    dist = metadata.distribution("openeo-auth-tray")
    direct = json.loads(dist.read_text("direct_url.json") or "{}")
    assert direct.get("url", "").endswith(".whl"), f"installed from {direct.get('url')!r}, not a wheel"
    assert not direct.get("dir_info", {}).get("editable"), "an editable install runs the source tree"


def test_the_declared_openeo_range_holds_the_installed_client():
    import openeo
    from packaging.requirements import Requirement  # pip's own dependency, in every environment here

    (requirement,) = [Requirement(r) for r in metadata.requires("openeo-auth-tray") if r.startswith("openeo")]
    assert openeo.__version__ in requirement.specifier, f"openeo {openeo.__version__} is outside {requirement}"


@pytest.mark.parametrize("text, parsed", [
    ("0.1.0", (0, 1, 0, 1)),
    ("12.0.3", (12, 0, 3, 1)),
    ("0.2.0-rc.1", (0, 2, 0, 0)),
    ("0.1", None),
    ("v0.1.0", None),
    ("0.1.0 ", None),
    (None, None),
    (1, None),
])
def test_versions_are_read_strictly(text, parsed):
    assert _app_version.parse_version(text) == parsed


def test_a_pre_release_of_the_minimum_is_older_than_it():
    major, minor, patch, _ = _app_version.parse_version(_app_version.MIN_APP_VERSION)
    assert _app_version.older_than_needed(f"{major}.{minor}.{patch}-rc.1")
    assert not _app_version.older_than_needed(_app_version.MIN_APP_VERSION)
    assert not _app_version.older_than_needed(f"{major}.{minor}.{patch + 1}")


def test_this_packages_own_app_version_is_new_enough():
    assert not _app_version.older_than_needed(PACKAGE_JSON_VERSION), "the app of the same release must serve its own bridge"


# --- the agent -------------------------------------------------------------------------------------

@pytest.mark.parametrize("about, said", [
    (info(version="0.0.9"), "openEO Auth Tray 0.0.9"),
    (info(protocol=0), f"openEO Auth Tray {PACKAGE_JSON_VERSION}"),
    (info(version="not-a-version"), "an unknown version"),
    # An agent from before `openeo-auth-tray/info` existed refuses the request.
    (json.dumps({"status": "failure", "error": "unknown request", "code": "AGENT_REQUEST_INVALID", "exit_code": 1}).encode(), "an unknown version"),
])
def test_an_agent_older_than_needed_says_update_openeo_auth_tray(agent_at, folder, about, said):
    agent = agent_at("env.sock", about=about)
    chain = _chain.TokenChain(chain_env(folder, OPENEO_AUTH_TRAY_SOCK=agent.path), folders=[folder])
    with pytest.raises(UpdateRequired) as caught:
        fetch(chain)
    message = str(caught.value)
    assert message.endswith("update openEO Auth Tray.") and said in message and agent.path in message, message
    assert caught.value.code == "APP_UPDATE_REQUIRED" and isinstance(caught.value, AuthTrayError)
    assert [r["request"] for r in agent.requests] == ["openeo-auth-tray/info"], "no token was asked of it"


def test_a_current_agent_is_asked_what_it_is_once_per_socket(agent_at, folder):
    agent = agent_at("env.sock")
    chain = _chain.TokenChain(chain_env(folder, OPENEO_AUTH_TRAY_SOCK=agent.path), folders=[folder])
    for _ in range(3):
        fetch(chain)
    assert [r["request"] for r in agent.requests] == ["openeo-auth-tray/info"] + ["access_token"] * 3
    # Another agent on the same path (restarted, perhaps downgraded) is a new socket: asked again.
    agent.close()
    os.unlink(agent.path)
    older = agent_at("env.sock", about=info(version="0.0.1"))
    with pytest.raises(UpdateRequired):
        fetch(chain)
    assert [r["request"] for r in older.requests] == ["openeo-auth-tray/info"]


# --- the CLI ---------------------------------------------------------------------------------------

def fake_cli(folder, version, token_exit=2, token_out="", token_err="openeo-auth-tray: Unknown option '--refused' (usage: `openeo-auth-tray help`)"):
    """A CLI that prints ``version`` for --version and answers ``token`` as told."""
    folder.mkdir(exist_ok=True)
    calls = folder / "calls"
    script = folder / "old-cli"
    script.write_text(
        "#!/bin/sh\n"
        f'echo "$*" >> {calls}\n'
        f'if [ "$1" = --version ]; then echo "openeo-auth-tray {version}"; exit 0; fi\n'
        f"printf '%s\\n' '{token_out}'\n"
        f"echo \"{token_err}\" >&2\n"
        f"exit {token_exit}\n"
    )
    script.chmod(0o755)
    return str(script), calls


def test_a_cli_older_than_needed_that_refuses_an_option_says_update(tmp_path):
    cli, calls = fake_cli(tmp_path, "0.0.9")
    with pytest.raises(UpdateRequired) as caught:
        _cli.request_token([cli], identity="alice", refused="0123456789abcdef", timeout=30)
    assert "openEO Auth Tray 0.0.9" in str(caught.value) and str(caught.value).endswith("update openEO Auth Tray.")
    assert calls.read_text().splitlines()[-1] == "--version"


def test_a_cli_older_than_needed_that_answers_no_token_says_update(tmp_path):
    cli, _ = fake_cli(tmp_path, "0.0.9", token_exit=0, token_out="{}", token_err="")
    with pytest.raises(UpdateRequired):
        _cli.request_token([cli], timeout=30)


def test_a_current_cli_keeps_its_own_error_and_a_working_call_asks_no_version(tmp_path):
    cli, calls = fake_cli(tmp_path / "current", PACKAGE_JSON_VERSION)
    with pytest.raises(AuthTrayError) as caught:
        _cli.request_token([cli], refused="0123456789abcdef", timeout=30)
    assert not isinstance(caught.value, UpdateRequired) and "Unknown option" in str(caught.value)
    cli, calls = fake_cli(tmp_path / "old", "0.0.9", token_exit=3, token_err="openeo-auth-tray: This login has expired.")
    with pytest.raises(LoginRequired):
        _cli.request_token([cli], timeout=30)
    assert "--version" not in calls.read_text(), "a failure that is not a usage error asks nothing more"


def test_the_real_cli_says_a_version_this_package_accepts():
    out = subprocess.run([node(), str(CLI_BUNDLE), "--version"], capture_output=True, text=True, timeout=60).stdout
    assert _app_version.cli_version(out) == PACKAGE_JSON_VERSION
    _app_version.check_cli_version(out, ["openeo-auth-tray"])
