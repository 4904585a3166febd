"""What can go wrong when a script asks openEO Auth Tray for a token.

Every error subclasses :class:`AuthTrayError`. Its message is the agent's or the CLI's one line
(what happened and what to do next); it never contains a token or a secret. The agent and the CLI
report a failure alike (a stable ``code`` and the CLI's exit code), and :func:`error_class` reads
both the same way.
"""

from typing import Optional, Type

import requests


class AuthTrayError(Exception):
    """A token could not be had from openEO Auth Tray.

    ``code`` is the CLI's stable error code (e.g. ``"REFRESH_TOKEN_INVALID"``) when it gave one,
    ``exit_code`` the CLI's exit code.
    """

    def __init__(self, message: str, *, code: Optional[str] = None, exit_code: Optional[int] = None):
        super().__init__(message)
        self.code = code
        self.exit_code = exit_code

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class LoginRequired(AuthTrayError):
    """The login has ended (expired, revoked, signed out): sign in again (CLI exit code 3)."""


class KeychainUnavailable(AuthTrayError):
    """The OS keychain is locked or missing, so the app cannot read the login (CLI exit code 4)."""


class Unreachable(AuthTrayError, requests.exceptions.ConnectionError):
    """The identity provider or the backend did not answer in time (CLI exit code 5).

    Also a :class:`requests.ConnectionError`, so that the openEO client's own polling loops
    (``job.start_and_wait()``, the job manager) treat it like the network glitch it is and try
    again later instead of giving up on a running job.
    """


class IdentityNotFound(AuthTrayError):
    """No login, or more than one, fits what was asked for; the message lists the choices."""


class CliNotFound(AuthTrayError):
    """The ``openeo-auth-tray`` command that ``$OPENEO_AUTH_TRAY_CLI`` names could not be started
    (or is not a valid command line). With no agent and no CLI at all: :class:`NoTokenSource`."""


class ScriptAccessDenied(AuthTrayError):
    """The login's "Scripts may use this login" is off, or the person said no to this script
    (the agent's ``SCRIPT_ACCESS_DENIED``); the message says how to allow it."""


class NoTokenSource(AuthTrayError):
    """Neither an openEO Auth Tray agent nor the ``openeo-auth-tray`` command could be found:
    start the app, or ``eval "$(openeo-auth-tray agent)"``; the message says where the bridge
    looked."""


class UpdateRequired(AuthTrayError):
    """The agent or the CLI this package talks to is an openEO Auth Tray older than it needs (it
    would not understand what is asked): update openEO Auth Tray. ``code`` is
    ``"APP_UPDATE_REQUIRED"``."""


#: The class for a failure by the CLI's exit code (3 sign in again, 4 keychain, 5 unreachable).
_BY_EXIT_CODE = {3: LoginRequired, 4: KeychainUnavailable, 5: Unreachable}
#: ... refined by the stable error code, where one says more than the exit code does.
_BY_CODE = {
    "IDENTITY_NOT_FOUND": IdentityNotFound,
    "IDENTITY_AMBIGUOUS": IdentityNotFound,
    "IDENTITY_BACKEND_MISMATCH": IdentityNotFound,
    # Another process held the refresh lock too long: like an unreachable IdP, try again later.
    "LOCK_TIMEOUT": Unreachable,
    # The backend refuses a token renewed moments ago: renewing it again would not help; later.
    "TOKEN_REFUSED_AFTER_RENEWAL": Unreachable,
    "SCRIPT_ACCESS_DENIED": ScriptAccessDenied,
    # A forward that ended while the request was on its way.
    "AGENT_UNAVAILABLE": NoTokenSource,
}


def error_class(code: Optional[str], exit_code: Optional[int]) -> Type[AuthTrayError]:
    """The exception class for a failure the agent or the CLI reported: by its error code, else
    by its exit code, else :class:`AuthTrayError`."""
    return _BY_CODE.get(code or "") or _BY_EXIT_CODE.get(exit_code, AuthTrayError)  # type: ignore[arg-type]
