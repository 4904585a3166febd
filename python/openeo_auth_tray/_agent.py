"""Asking openEO Auth Tray's token agent for an access token over its Unix socket.

The agent speaks oidc-agent's protocol (``docs/agent-protocol.md``): one plain JSON request per
connection, one JSON answer, then the agent closes. No subprocess and no Node: a token costs one
local connection. The agent is still a peer like any other: the wait is bounded (connecting and
in all), the answer is capped in size and parsed strictly, and its words are stripped of control
characters before they become an exception message. A token is never put in a message or a repr.
"""

import errno
import json
import os
import re
import socket
import sys
import time
from typing import Any, Dict, List, Optional, Tuple

from ._cli import clean_line
from ._token import Token
from .errors import AuthTrayError, Unreachable, error_class

#: Largest answer read (a token answer is a few KiB); reading stops there.
MAX_ANSWER = 256 * 1024
#: Longest wait for the connection itself: a local socket either takes it at once or is busy.
CONNECT_TIMEOUT = 5.0
#: Longest application hint sent (the agent keeps 200 characters).
MAX_HINT = 200
#: Kinds of login an answer may name.
KINDS = ("personal", "client-credentials")
#: Exit codes the CLI has (docs/agent-protocol.schema.json).
EXIT_CODES = (1, 2, 3, 4, 5, 130)
#: Longest minimum validity asked for (the agent honours ten years at most, too).
MAX_MIN_VALID = 10 * 365 * 86400.0
_CODE = re.compile(r"[A-Z_]{1,64}")


class AgentAbsent(Exception):
    """No agent answers at ``path``: no socket there, nobody listening, or a connection closed
    without a word (what a forward that ended looks like through ssh). Not an
    :class:`AuthTrayError`: whoever asked goes on to the next place to look."""

    def __init__(self, path: str, why: str):
        super().__init__(f"{clean_line(path)}: {why}")
        self.path = path
        self.why = why


def application_hint(argv: Optional[List[str]] = None, modules: Optional[Dict[str, Any]] = None) -> str:
    """What this process calls itself to the agent: ``python (<script file name>)``, or ``python``
    in a REPL, for ``python -c`` and in a notebook. Shown to the person, marked unverified."""
    argv = sys.argv if argv is None else argv
    modules = sys.modules if modules is None else modules
    script = argv[0] if argv else ""
    if not script or script in ("-c", "-") or "ipykernel" in modules:
        return "python"
    path = script.rstrip("/\\")
    name = os.path.basename(path)
    if name == "__main__.py":  # python -m package: the package's name says more
        name = os.path.basename(os.path.dirname(path)) or name
    name = clean_line(name)
    return f"python ({name[: MAX_HINT - 9]})" if name else "python"


def token_request(*, identity: Optional[str], backend: Optional[str], min_valid: Optional[float], hint: str, refused: Optional[str] = None) -> Dict[str, Any]:
    """The ``access_token`` request (oidc-agent's, with our ``backend`` and ``refused``)."""
    request: Dict[str, Any] = {"request": "access_token"}
    if identity:
        request["account"] = identity
    if backend:
        request["backend"] = backend
    if min_valid is not None:
        request["min_valid_period"] = round(min(MAX_MIN_VALID, max(0.0, min_valid)), 3)
    if refused:
        request["refused"] = refused
    request["application_hint"] = hint
    return request


def _connect(sock: socket.socket, path: str, deadline: float) -> None:
    """Connects within :data:`CONNECT_TIMEOUT` (and the deadline); AgentAbsent when nothing is there."""
    until = min(deadline, time.monotonic() + CONNECT_TIMEOUT)
    pause = 0.005
    while True:
        sock.settimeout(max(0.001, until - time.monotonic()))
        try:
            sock.connect(path)
            return
        except (FileNotFoundError, ConnectionRefusedError, NotADirectoryError):
            raise AgentAbsent(path, "nothing listens there") from None
        except PermissionError:
            raise AgentAbsent(path, "not allowed to connect (another user's socket?)") from None
        except socket.timeout:
            raise Unreachable(f"The openEO Auth Tray agent at {clean_line(path)} did not take the connection in time. Try again later.", code="TIMEOUT") from None
        except OSError as e:
            if e.errno == errno.ENOTSOCK:
                raise AgentAbsent(path, "not a socket") from None
            if e.errno in (None, errno.ENAMETOOLONG):  # "AF_UNIX path too long": no agent can listen there
                raise AgentAbsent(path, "too long a path for a socket") from None
            # A full listen queue: a local agent under load takes the connection a moment later.
            if e.errno not in (errno.EAGAIN, errno.EWOULDBLOCK) or time.monotonic() + pause >= until:
                raise Unreachable(f"The openEO Auth Tray agent at {clean_line(path)} could not be reached ({clean_line(e.strerror or str(e))}). Try again later.", code="AGENT_BUSY") from None
            time.sleep(pause)
            pause = min(0.1, 2 * pause)


def _exchange(path: str, request: Dict[str, Any], timeout: float) -> bytes:
    """Sends the request, reads the answer until the agent closes: at most :data:`MAX_ANSWER`."""
    deadline = time.monotonic() + timeout
    late = Unreachable(f"The openEO Auth Tray agent at {clean_line(path)} did not answer within {timeout:.0f} s. Try again later; OPENEO_AUTH_TRAY_TIMEOUT sets how long it waits for the identity provider.", code="TIMEOUT")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        _connect(sock, path, deadline)
        chunks: List[bytes] = []
        size = 0
        try:
            sock.settimeout(max(0.001, deadline - time.monotonic()))
            # One write and no shutdown: the agent ends a connection whose client stopped sending.
            sock.sendall(json.dumps(request).encode("ascii"))
            while True:
                sock.settimeout(max(0.001, deadline - time.monotonic()))
                chunk = sock.recv(min(65536, MAX_ANSWER + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
                if size > MAX_ANSWER:
                    raise AuthTrayError(f"The openEO Auth Tray agent at {clean_line(path)} sent an answer larger than {MAX_ANSWER // 1024} KiB; it was not read.", code="INVALID_ANSWER")
        except socket.timeout:
            raise late from None
        except (BrokenPipeError, ConnectionResetError):
            if size == 0:
                raise AgentAbsent(path, "it closed the connection without answering") from None
            raise AuthTrayError(f"The openEO Auth Tray agent at {clean_line(path)} broke off its answer. Try again.", code="INVALID_ANSWER") from None
        if size == 0:
            raise AgentAbsent(path, "it closed the connection without answering")
        return b"".join(chunks)
    finally:
        sock.close()


def _unique_keys(pairs: List[Tuple[str, Any]]) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError("a key appears twice")
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_answer(raw: bytes) -> Dict[str, Any]:
    """The answer as a JSON object: strict UTF-8, strict JSON (no NaN, no key twice); ValueError otherwise."""
    try:
        data = json.loads(raw.decode("utf-8"), object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    if not isinstance(data, dict):
        raise ValueError("not an object")
    return data


def _text(answer: Dict[str, Any], name: str, *, required: bool = True) -> str:
    value = answer.get(name)
    if not isinstance(value, str) or (required and not value):
        raise ValueError(f"{name} is missing or not text")
    return value


def token_from(answer: Dict[str, Any]) -> Token:
    """The token of a success answer; ValueError when it is not a whole one."""
    expires_at = answer.get("expires_at")
    if isinstance(expires_at, bool) or not isinstance(expires_at, int) or expires_at < 0:
        raise ValueError("expires_at is not epoch seconds")
    kind = _text(answer, "kind")
    if kind not in KINDS:
        raise ValueError("kind is unknown")
    return Token(
        access_token=_text(answer, "access_token"),
        expires_at=float(expires_at) if expires_at else None,  # 0: the IdP gave no lifetime
        bearer=_text(answer, "bearer"),
        identity=_text(answer, "identity"),
        label=_text(answer, "label", required=False) or _text(answer, "identity"),
        provider_id=_text(answer, "provider_id"),
        backend=_text(answer, "backend"),
        api_url=_text(answer, "api_url"),
        kind=kind,
    )


def error_from(path: str, answer: Dict[str, Any]) -> AuthTrayError:
    """The exception for a failure answer: its class from ``code`` and ``exit_code``, as for the
    CLI; its message the agent's ``error`` and ``info`` (what happened, what to do)."""
    code = answer.get("code")
    code = code if isinstance(code, str) and _CODE.fullmatch(code) else None
    exit_code = answer.get("exit_code")
    exit_code = exit_code if isinstance(exit_code, int) and not isinstance(exit_code, bool) and exit_code in EXIT_CODES else None
    words = [w for w in (answer.get("error"), answer.get("info")) if isinstance(w, str) and w.strip()]
    message = clean_line(" ".join(words)) if words else f"The openEO Auth Tray agent at {clean_line(path)} refused without saying why."
    return error_class(code, exit_code)(message, code=code, exit_code=exit_code)


def request_info(path: str, *, timeout: float) -> Dict[str, Any]:
    """The agent's ``openeo-auth-tray/info`` answer (what it is: ``version``, ``protocol``), as
    parsed JSON; :class:`AgentAbsent` when no agent is there. An agent too old to know the request
    answers a failure, which the caller reads as "older than needed"."""
    raw = _exchange(path, {"request": "openeo-auth-tray/info"}, timeout)
    try:
        return parse_answer(raw)
    except ValueError as e:
        raise AuthTrayError(f"The openEO Auth Tray agent at {clean_line(path)} answered something that is not an answer ({clean_line(str(e))}).", code="INVALID_ANSWER") from None


def request_token(
    path: str,
    *,
    identity: Optional[str] = None,
    backend: Optional[str] = None,
    min_valid: Optional[float] = None,
    refused: Optional[str] = None,
    timeout: float,
    hint: Optional[str] = None,
) -> Token:
    """Asks the agent at ``path`` once. Returns its token, raises the AuthTrayError of its failure,
    or :class:`AgentAbsent` when no agent is there. ``refused``: the fingerprint of a token a
    backend refused (``_token.fingerprint``)."""
    request = token_request(identity=identity, backend=backend, min_valid=min_valid, refused=refused, hint=application_hint() if hint is None else hint)
    raw = _exchange(path, request, timeout)
    invalid = f"The openEO Auth Tray agent at {clean_line(path)} answered something that is not a token answer"
    try:
        answer = parse_answer(raw)
    except ValueError as e:
        raise AuthTrayError(f"{invalid} ({clean_line(str(e))}).", code="INVALID_ANSWER") from None
    status = answer.get("status")
    if status == "failure":
        raise error_from(path, answer)
    if status != "success":
        raise AuthTrayError(f"{invalid} (no status).", code="INVALID_ANSWER")
    try:
        return token_from(answer)
    except ValueError as e:  # the reason names a field, never its value
        raise AuthTrayError(f"{invalid} ({clean_line(str(e))}).", code="INVALID_ANSWER") from None
