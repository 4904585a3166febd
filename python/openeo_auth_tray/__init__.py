"""openEO connections that stay signed in, with tokens from openEO Auth Tray.

    import openeo_auth_tray
    connection = openeo_auth_tray.connect()            # the identity's backend, authenticated
    connection = openeo_auth_tray.connect("openeo.dataspace.copernicus.eu", identity="cdse-3f9a1c")
    openeo_auth_tray.authenticate(connection)          # a connection you made yourself

The access token renews itself before it ends, for as long as the login in openEO Auth Tray
lives; threads share one connection, a forked child keeps it, and it pickles (without its token)
for other processes. This package never sees a refresh token or a client secret: it asks
openEO Auth Tray for access tokens, and only the app (or its CLI) refreshes.

Where it asks, first that answers (a chain with a clear end):

1. the token agent at ``$OPENEO_AUTH_TRAY_SOCK`` (``eval "$(openeo-auth-tray agent)"`` sets it);
2. the agent's own socket: the tray app's, or ``openeo-auth-tray agent``'s (no subprocess, no Node:
   a token costs one local connection);
3. on a remote machine, when 1 is not set: the newest forwarded socket of yours,
   ``/tmp/openeo-auth-tray-forward-*.sock`` (``openeo-auth-tray forward`` on your computer, then ssh);
4. the ``openeo-auth-tray`` command line (``$OPENEO_AUTH_TRAY_CLI``, or on the PATH);
5. else :class:`NoTokenSource`: start openEO Auth Tray, or ``eval "$(openeo-auth-tray agent)"``.

An agent that refuses (an ended login, a locked keychain, a login scripts may not use) raises
that refusal; only an absent one passes to the next. Windows has no agent: the command line.

Which login: ``identity`` (an id or a label, as the CLI takes it); when left out,
``$OPENEO_AUTH_TRAY_IDENTITY`` (set by ``openeo-auth-tray exec``); else the only login (the only
one at ``url``, or at the connection's backend); else :class:`IdentityNotFound` listing them.
"""

import os
from typing import Optional

from ._chain import TokenChain
from ._connection import TrayBearerAuth, TrayRenewer, install
from ._session import TokenSource, TokenSources
from .errors import (
    AuthTrayError,
    CliNotFound,
    IdentityNotFound,
    KeychainUnavailable,
    LoginRequired,
    NoTokenSource,
    ScriptAccessDenied,
    Unreachable,
    UpdateRequired,
)
from ._version import __version__

__all__ = [
    "connect",
    "authenticate",
    "AuthTrayError",
    "LoginRequired",
    "KeychainUnavailable",
    "Unreachable",
    "IdentityNotFound",
    "ScriptAccessDenied",
    "NoTokenSource",
    "CliNotFound",
    "UpdateRequired",
    "TrayBearerAuth",
    "__version__",
]

ENV_IDENTITY = "OPENEO_AUTH_TRAY_IDENTITY"

_sources = TokenSources()


def _identity(identity: Optional[str]) -> Optional[str]:
    return identity or os.environ.get(ENV_IDENTITY, "").strip() or None


def connect(url: Optional[str] = None, *, identity: Optional[str] = None, **connect_kwargs):
    """Connects to the identity's backend (or ``url``) and returns the connection, authenticated
    with tokens that renew themselves. ``connect_kwargs`` go to ``openeo.connect()``.

    Raises :class:`LoginRequired`, :class:`KeychainUnavailable`, :class:`Unreachable`,
    :class:`IdentityNotFound`, :class:`ScriptAccessDenied`, :class:`NoTokenSource`,
    :class:`CliNotFound` or :class:`UpdateRequired` (all :class:`AuthTrayError`)."""
    import openeo

    source = _sources.get(TokenChain(), _identity(identity), url)
    connection = openeo.connect(url or source.token.backend, **connect_kwargs)
    return install(connection, source)


def _restore_auth(identity: str, backend: str) -> TrayBearerAuth:
    """A pickled :class:`TrayBearerAuth` in this process: this process's source for the login,
    else a new one from this process's agent or CLI (``TokenChain()`` of its environment)."""
    chain = TokenChain()
    return TrayBearerAuth(_sources.existing(chain, identity) or _sources.get(chain, identity, backend))


def authenticate(connection, *, identity: Optional[str] = None):
    """Authenticates a connection you made with ``openeo.connect()``; returns it.

    The login must belong to the connection's backend: its tokens are never sent elsewhere."""
    backend = getattr(connection, "root_url", None) or getattr(connection, "_orig_url", None)
    source = _sources.get(TokenChain(), _identity(identity), backend)
    return install(connection, source)
