"""What can go wrong when a script asks openEO Auth Tray for a token.

Every error subclasses :class:`AuthTrayError`. Its message is the CLI's one line (what happened and
what to do next); it never contains a token or a secret.
"""

from typing import Optional

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
    """The ``openeo-auth-tray`` command could not be found or started."""
