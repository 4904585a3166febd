"""Talking to the ``openeo-auth-tray`` command line: find it, ask it for a token, read its answer.

The CLI is the only place that spends a refresh token (under its cross-process lock); this side
only ever receives access tokens. Its output is still treated as input from outside: bounded in
size and time (``_process``: its own session, output capped, its process group ended at the
timeout), and stripped of control characters before it becomes an exception message.
"""

import json
import os
import re
import shlex
import shutil
import math
from datetime import datetime
from typing import Callable, List, Mapping, Optional, Sequence

from . import _app_version
from ._process import MAX_OUTPUT, BoundedRun
from ._token import Token
from .errors import AuthTrayError, CliNotFound, Unreachable, error_class

CLI_NAME = "openeo-auth-tray"
ENV_CLI = "OPENEO_AUTH_TRAY_CLI"
ENV_TIMEOUT = "OPENEO_AUTH_TRAY_TIMEOUT"

#: Longest wait for one call (a day): far beyond any sensible OPENEO_AUTH_TRAY_TIMEOUT, and
#: small enough for every timeout Python's sockets and subprocesses take.
MAX_TIMEOUT = 86400.0
#: Longest error message kept.
MAX_MESSAGE = 1000

#: Terminal escape sequences (CSI, OSC up to BEL or ST, and two-byte ESC sequences), then any
#: other control character: a message must not redraw, retitle or write the clipboard of a terminal.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]{0,4096}(?:\x07|\x1b\\)?|\x1b[@-_]?|\x9b[0-?]*[ -/]*[@-~]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\s]+")


def find_cli(env: Optional[Mapping[str, str]] = None, *, which: Callable[[str], Optional[str]] = shutil.which) -> List[str]:
    """The command that runs the CLI: ``$OPENEO_AUTH_TRAY_CLI`` (split like a shell would), else
    ``openeo-auth-tray`` on the PATH (``openeo-auth-tray.cmd`` on Windows)."""
    env = os.environ if env is None else env
    configured = env.get(ENV_CLI, "").strip()
    if configured:
        try:
            if os.name == "nt":
                parts = [p[1:-1] if len(p) >= 2 and p[0] == p[-1] == '"' else p for p in shlex.split(configured, posix=False)]
            else:
                parts = shlex.split(configured)
        except ValueError as e:
            raise CliNotFound(f"{ENV_CLI} is not a valid command line ({e}). Set it to the path of openeo-auth-tray.") from None
        if parts:
            return parts
    for name in (CLI_NAME, f"{CLI_NAME}.cmd") if os.name == "nt" else (CLI_NAME,):
        found = which(name)
        if found:
            return [found]
    raise CliNotFound(
        f"The {CLI_NAME} command was not found on the PATH, and {ENV_CLI} is not set. "
        f"Install openEO Auth Tray (from a checkout: npm link), or set {ENV_CLI} to the command that runs it, "
        f'e.g. {ENV_CLI}="node /path/to/dist/cli/openeo-auth-tray.cjs".'
    )


def default_timeout(env: Optional[Mapping[str, str]] = None) -> float:
    """How long one call to the CLI or the agent may take: longer than their own bounded waits
    (the refresh lock, discovery and the token request), so they always end themselves first.

    ``$OPENEO_AUTH_TRAY_TIMEOUT`` is read as the CLI reads it (a finite number of seconds above 0,
    else the default); the result is capped at :data:`MAX_TIMEOUT`, so that no value (``inf``,
    ``1e400``) overflows a subprocess or socket timeout."""
    env = os.environ if env is None else env
    try:
        per_answer = float(env.get(ENV_TIMEOUT, ""))
    except ValueError:
        per_answer = 0
    if not (math.isfinite(per_answer) and per_answer > 0):
        per_answer = 30
    return min(MAX_TIMEOUT, 30 + 3 * per_answer + 30)


def clean_line(text: str) -> str:
    """One line of text from the CLI, safe to show: control characters out, length capped."""
    line = _CONTROL.sub(" ", _ESCAPES.sub("", text[: 4 * MAX_MESSAGE])).strip()
    return line if len(line) <= MAX_MESSAGE else line[: MAX_MESSAGE - 1] + "…"


def _parse_time(value: object) -> Optional[float]:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("expires_at is not a string")
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def parse_token(stdout: str) -> Token:
    """The token object from the CLI's stdout: its last line that is a JSON object, wherever it
    stands (a wrapper script may say more after it); ValueError when it is not a token."""
    data = None
    for line in reversed(stdout.splitlines()):
        try:
            data = json.loads(line)
        except ValueError:
            continue
        if isinstance(data, dict):
            break
    if not isinstance(data, dict):
        raise ValueError("no JSON object")
    fields = {}
    for name in ("access_token", "bearer", "identity", "provider_id", "backend", "kind"):
        value = data.get(name)
        if not isinstance(value, str) or not value:
            raise ValueError(f"{name} is missing")
        fields[name] = value
    return Token(
        expires_at=_parse_time(data.get("expires_at")),
        label=str(data.get("label") or fields["identity"]),
        api_url=str(data.get("api_url") or fields["backend"]),
        **fields,
    )


def error_from(exit_code: int, stdout: str, stderr: str, secrets: Sequence[str] = ()) -> AuthTrayError:
    """The exception for a failed CLI call: its class from the exit code (and the CLI's error
    code), its message the CLI's one line."""
    code = None
    for line in reversed(stdout.strip().splitlines()):
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if isinstance(event, dict) and event.get("event") == "error" and isinstance(event.get("code"), str):
            code = clean_line(event["code"])[:64]
            break
    lines = [l for l in stderr.splitlines() if l.strip()]
    message = clean_line(lines[-1]) if lines else f"{CLI_NAME} failed with exit code {exit_code} and said nothing."
    if message.startswith(f"{CLI_NAME}: "):
        message = message[len(CLI_NAME) + 2 :]
    for secret in secrets:
        if secret:
            message = message.replace(secret, "[redacted]")
    return error_class(code, exit_code)(message, code=code, exit_code=exit_code)


#: The CLI's exit code for a usage error (an unknown option among them).
USAGE_EXIT_CODE = 2


def check_version(cli: Sequence[str], timeout: float) -> None:
    """Runs ``--version``: :class:`UpdateRequired` when the CLI is older than this package needs.
    Returns quietly when it is new enough (the caller's error stands) or cannot say in time."""
    try:
        call = BoundedRun([*cli, "--version"])
    except OSError:
        return
    if call.finish(min(timeout, 30.0)) != "done":
        return
    stdout = bytes(call.stdout.data).decode("utf-8", "replace")
    _app_version.check_cli_version(stdout, cli)


def request_token(
    cli: Sequence[str],
    *,
    identity: Optional[str] = None,
    backend: Optional[str] = None,
    min_valid: Optional[float] = None,
    refused: Optional[str] = None,
    timeout: Optional[float] = None,
) -> Token:
    """Runs ``token --json`` once and returns its answer, or raises the matching AuthTrayError.
    ``refused``: the fingerprint of a token a backend refused (``--refused``)."""
    args = [*cli, "token", "--json"]
    if identity:
        args.append(identity)
    if backend:
        args += ["--backend", backend]
    if min_valid is not None:
        args += ["--min-valid", f"{max(0.0, min_valid):.3f}".rstrip("0").rstrip(".")]
    if refused:
        args += ["--refused", refused]
    timeout = default_timeout() if timeout is None else timeout
    try:
        call = BoundedRun(args)
    except OSError as e:
        raise CliNotFound(f"{CLI_NAME} could not be started ({cli[0]}: {e.strerror or e}). Check {ENV_CLI} or your PATH.") from None
    outcome = call.finish(timeout)
    if outcome == "timeout":
        raise Unreachable(
            f"{CLI_NAME} did not answer within {timeout:.0f} s. Try again later; "
            f"{ENV_TIMEOUT} sets how long it waits for the identity provider.",
            code="TIMEOUT",
        )
    if outcome == "too much":
        raise AuthTrayError(
            f"{CLI_NAME} printed more than {MAX_OUTPUT // (1024 * 1024)} MiB, far more than a token, and was stopped "
            f"(is {' '.join(cli)} openEO Auth Tray?).",
            code="INVALID_ANSWER",
        )
    stdout = bytes(call.stdout.data).decode("utf-8", "replace")
    stderr = bytes(call.stderr.data).decode("utf-8", "replace")
    if call.returncode != 0:
        if call.returncode == USAGE_EXIT_CODE:  # an option it does not know: an older CLI?
            check_version(cli, timeout)
        raise error_from(call.returncode, stdout, stderr)
    try:
        return parse_token(stdout)
    except ValueError:
        check_version(cli, timeout)
        raise AuthTrayError(
            f"{CLI_NAME} answered something that is not a token (is {' '.join(cli)} openEO Auth Tray 0.1 or later?).",
            code="INVALID_ANSWER",
        ) from None
