"""What this package needs of the openEO Auth Tray it talks to, and the check of it.

The agent says what it is (``openeo-auth-tray/info``: ``version`` and ``protocol``); it is asked once
per socket and chain, because an older agent would not refuse a field it does not know (it
ignores it, as oidc-agent's clients expect), and would answer wrongly instead. The CLI refuses an
option it does not know (exit code 2), so it is asked for ``--version`` only when a call fails
that way or answers something that is not a token: nothing is added to a call that works.
"""

import re
from typing import Any, Dict, Optional, Sequence, Tuple

from ._version import __version__
from .errors import UpdateRequired

#: The oldest openEO Auth Tray whose agent and CLI answer everything this package asks.
MIN_APP_VERSION = "0.1.0"
#: The oldest agent protocol (``openeo-auth-tray/info``'s ``protocol``) this package speaks.
MIN_AGENT_PROTOCOL = 1

_RELEASE = re.compile(r"^(\d{1,6})\.(\d{1,6})\.(\d{1,6})(-[0-9A-Za-z.-]{1,64})?$")
_CLI_VERSION = re.compile(r"^openeo-auth-tray (\S{1,80})$", re.MULTILINE)


def parse_version(text: object) -> Optional[Tuple[int, int, int, int]]:
    """``"1.2.3"`` as ``(1, 2, 3, 1)``, a pre-release ``"1.2.3-rc.1"`` as ``(1, 2, 3, 0)`` (before
    1.2.3); None for anything else."""
    if not isinstance(text, str):
        return None
    m = _RELEASE.match(text)
    if not m:
        return None
    return (int(m.group(1)), int(m.group(2)), int(m.group(3)), 0 if m.group(4) else 1)


def older_than_needed(version: object) -> bool:
    """True when ``version`` is not a version, or one before :data:`MIN_APP_VERSION`."""
    parsed = parse_version(version)
    return parsed is None or parsed < parse_version(MIN_APP_VERSION)  # type: ignore[operator]


def _update(what: str, version: object) -> UpdateRequired:
    said = version if isinstance(version, str) and parse_version(version) else "an unknown version"
    shown = said if len(said) <= 80 else said[:79] + "…"
    return UpdateRequired(
        f"{what} is openEO Auth Tray {shown}, older than this openeo-auth-tray Python package {__version__} needs "
        f"({MIN_APP_VERSION} or later): update openEO Auth Tray.",
        code="APP_UPDATE_REQUIRED",
    )


def check_agent_info(answer: Dict[str, Any], where: str) -> None:
    """Raises :class:`UpdateRequired` unless the agent's ``openeo-auth-tray/info`` answer is from a
    version and protocol this package can use. ``where``: the socket, for the message."""
    protocol = answer.get("protocol")
    version = answer.get("version")
    new_enough_protocol = isinstance(protocol, int) and not isinstance(protocol, bool) and protocol >= MIN_AGENT_PROTOCOL
    if answer.get("status") != "success" or not new_enough_protocol or older_than_needed(version):
        raise _update(f"The agent at {where}", version if answer.get("status") == "success" else None)


def cli_version(stdout: str) -> Optional[str]:
    """The version in ``openeo-auth-tray --version``'s output (``openeo-auth-tray 0.1.0``)."""
    m = _CLI_VERSION.search(stdout)
    return m.group(1) if m else None


def check_cli_version(stdout: str, cli: Sequence[str]) -> None:
    """Raises :class:`UpdateRequired` when ``--version`` printed a version older than needed, or none."""
    version = cli_version(stdout)
    if older_than_needed(version):
        raise _update(f"The command {' '.join(cli)[:200]}", version)
