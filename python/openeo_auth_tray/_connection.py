"""Putting self-renewing tokens on an ``openeo.Connection`` through the client's own hooks.

- ``connection.auth`` becomes a :class:`TrayBearerAuth` (an ``OidcBearerAuth``): each request
  carries a token that is valid for a while yet, renewed before it ends.
- ``connection._oidc_auth_renewer`` becomes a :class:`TrayRenewer` (an ``OidcAuthenticator``):
  when the backend still answers ``TokenInvalid``, the client's ``try_access_token_refresh()``
  asks it for a new token and repeats the request once.

The client's renewal replaces ``connection.auth`` with a plain ``OidcBearerAuth`` holding the new
token; this connection's ``try_access_token_refresh`` puts the self-renewing one back right
after, so renewal before requests goes on.

Such a connection pickles (for a spawn ``Pool``, say) as a plain one does, without its token: the
auth is rebuilt in the unpickling process from the login's id, with that process's source (the
one it has, else one from its own agent or CLI).
"""

import threading
import time
import weakref
from typing import Optional

import requests
from openeo.rest.auth.auth import OidcBearerAuth
from openeo.rest.auth.oidc import AccessTokenResult, OidcAuthenticator

from ._session import TokenSource


class TrayBearerAuth(OidcBearerAuth):
    """``Authorization: Bearer …`` with a current token from openEO Auth Tray on every request."""

    def __init__(self, source: TokenSource):
        # No super().__init__(): the bearer is not fixed, it is read from the source each time.
        self.source = source
        self._sent = threading.local()
        self.renewer = TrayRenewer(self)

    @property  # type: ignore[override]
    def bearer(self) -> str:
        """The bearer that the next request would carry (without renewing it)."""
        return self.source.token.bearer

    def last_sent(self) -> Optional[str]:
        """The bearer this thread's last request carried (the one a ``TokenInvalid`` refers to)."""
        return getattr(self._sent, "bearer", None)

    def __call__(self, req: requests.PreparedRequest) -> requests.PreparedRequest:
        bearer = self.source.current().bearer
        self._sent.bearer = bearer
        req.headers["Authorization"] = f"Bearer {bearer}"
        return req

    def __repr__(self) -> str:
        return f"<TrayBearerAuth identity={self.source.identity!r}>"

    def __reduce__(self):
        # Only the login's id and backend: never a token, no lock, no thread's state.
        from . import _restore_auth  # the package's, whose sources are the unpickling process's

        return (_restore_auth, (self.source.identity, self.source.token.backend))


class _ProviderRef:
    """What ``Connection.try_access_token_refresh`` reads of a renewer's provider: its id."""

    def __init__(self, provider_id: str):
        self.id = provider_id


class TrayRenewer(OidcAuthenticator):
    """The client's renewal hook, answered by openEO Auth Tray instead of a token endpoint.

    It holds no refresh token and no client secret: the agent or the CLI refreshes (under the
    app's lock)."""

    grant_type = "openeo-auth-tray"

    def __init__(self, auth: TrayBearerAuth):
        # No super().__init__(): that would look up the provider's discovery document, which the
        # app does (and caches) instead.
        self._auth = auth

    @property
    def provider_info(self) -> _ProviderRef:  # type: ignore[override]
        return _ProviderRef(self._auth.source.token.provider_id)

    @property
    def client_id(self) -> str:  # type: ignore[override]
        return "openeo-auth-tray"

    def get_tokens(self, request_refresh_token: bool = False) -> AccessTokenResult:
        token = self._auth.source.renew_after_refusal(self._auth.last_sent())
        expires_in = None
        if token.expires_at is not None:
            expires_in = max(0.0, token.expires_at - time.time())
        return AccessTokenResult(token_type="Bearer", access_token=token.access_token, expires_in=expires_in)

    def __repr__(self) -> str:
        return f"<TrayRenewer identity={self._auth.source.identity!r}>"

    def __reduce__(self):
        return (getattr, (self._auth, "renewer"))


class _RenewalHook:
    """A connection's ``try_access_token_refresh``: the class's own renewal, then the
    self-renewing auth put back (the client's renewal replaces it with a fixed token)."""

    def __init__(self, connection, auth: TrayBearerAuth):
        # No cycle: the connection holds the hook. (None: a hook unpickled without its connection.)
        self._connection = weakref.ref(connection) if connection is not None else lambda: None
        self._auth = auth

    def __call__(self, *, reason: Optional[str] = None) -> bool:
        conn = self._connection()
        if conn is None:
            return False
        renewed = type(conn).try_access_token_refresh(conn, reason=reason)
        if renewed and getattr(conn, "_oidc_auth_renewer", None) is self._auth.renewer:
            conn.auth = self._auth  # the new token is in the source: keep renewing before requests
        return renewed

    def __reduce__(self):
        return (_RenewalHook, (self._connection(), self._auth))


def install(connection, source: TokenSource):
    """Authenticates ``connection`` with tokens from ``source``; returns the connection."""
    auth = TrayBearerAuth(source)
    connection.auth = auth
    connection._oidc_auth_renewer = auth.renewer
    connection.try_access_token_refresh = _RenewalHook(connection, auth)
    return connection
