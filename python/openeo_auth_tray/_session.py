"""Access tokens that renew themselves, for every thread of a process.

One :class:`TokenSource` per identity and process. Before a request, a token near its end
(60 s left, or a quarter of its life for short tokens) is replaced by a fresh one from the
transport (the agent, else the CLI: ``_chain.TokenChain``); after the backend refused a token
(``TokenInvalid``) the transport is told which one (its fingerprint), and hands out a newer one,
renews it, or, when it was renewed moments ago, says so (``Unreachable``): a backend that refuses
a token seconds old would otherwise cost a refresh per request. Single-flight: threads that need
a token while one is being fetched wait for that one, so N threads cost one call per renewal.

A child forked while another thread renews (``multiprocessing`` with fork beside a job manager's
threads) gets new locks: only the forking thread lives on in it, and a lock held by one that does
not would be held forever.
"""

import os
import threading
import time
import weakref
from typing import Callable, Dict, Hashable, Optional, Protocol, Tuple

from . import _cli
from ._token import fingerprint
from .errors import AuthTrayError

#: Renew when less than this is left, at most (seconds).
MARGIN_MAX = 60.0
#: ... and at most this share of the token's life, so a 20 s token is not renewed on every call.
MARGIN_SHARE = 0.25
#: What the first call asks for: enough for a first request, short enough not to force a refresh.
FIRST_MIN_VALID = 5.0
#: After "refused although renewed moments ago", further refusals of that token are answered
#: alike for this long without asking (the app's own "moments": 5 s).
REFUSAL_PAUSE = 5.0
#: A minimum validity no token meets: asking for it makes the agent or the CLI refresh.
FORCE_MIN_VALID = 10 * 365 * 86400.0

Clock = Callable[[], float]
Fetch = Callable[..., _cli.Token]

#: Everything of the bridge that has a lock (sources, the registry of sources), for the fork hook.
_LOCKED: "weakref.WeakSet[object]" = weakref.WeakSet()


def _new_locks_in_child() -> None:
    """After ``fork()``, in the child: every lock of the bridge anew. A lock another thread held at
    the fork (a renewal waiting for the CLI, say) would otherwise never be released there."""
    for owner in list(_LOCKED):
        owner._lock = threading.Lock()  # type: ignore[attr-defined]


if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork
    os.register_at_fork(after_in_child=_new_locks_in_child)


class TokenSource:
    """Fresh access tokens for one identity, shared by every connection and thread of a process."""

    def __init__(self, first: _cli.Token, fetch: Fetch, *, clock: Clock = time.time):
        self._fetch = fetch
        self._clock = clock
        self._lock = threading.Lock()
        _LOCKED.add(self)
        self._token = first
        self._life = self._remaining(first) or 0.0
        #: (fingerprint, until, error) of the last "refused although renewed moments ago".
        self._paused: Optional[Tuple[str, float, AuthTrayError]] = None
        #: Calls (to the agent or the CLI) made by this source after the first token (for tests and the benchmark).
        self.cli_calls = 0

    @property
    def identity(self) -> str:
        return self._token.identity

    @property
    def token(self) -> _cli.Token:
        """The newest token, as it is (no renewal)."""
        return self._token

    def margin(self) -> float:
        """Seconds before its end at which a token is renewed."""
        return min(MARGIN_MAX, MARGIN_SHARE * self._life) if self._life > 0 else MARGIN_MAX

    def _remaining(self, token: _cli.Token) -> Optional[float]:
        return None if token.expires_at is None else token.expires_at - self._clock()

    def _fresh_enough(self, token: _cli.Token) -> bool:
        left = self._remaining(token)
        return left is None or left >= self.margin()

    def current(self) -> _cli.Token:
        """A token valid for at least the margin, renewed (through the agent or the CLI) when needed."""
        token = self._token
        if self._fresh_enough(token):
            return token
        with self._lock:
            token = self._token
            if self._fresh_enough(token):  # another thread renewed it while we waited
                return token
            return self._take(self._fetch(identity=token.identity, min_valid=2 * self.margin()))

    def renew_after_refusal(self, refused_bearer: Optional[str]) -> _cli.Token:
        """A token to replace one the backend refused (``TokenInvalid``).

        Tells the agent (or the CLI) which token was refused: it hands out a newer one (another
        process renewed meanwhile) as it is, or renews the refused one, unless that one was renewed
        moments ago. Then the backend refuses for another reason, and the answer is
        :class:`~openeo_auth_tray.Unreachable` (``TOKEN_REFUSED_AFTER_RENEWAL``): a
        ``requests.ConnectionError``, so the client's polling loops try again later; for
        :data:`REFUSAL_PAUSE` seconds that answer stands for that token without asking again. A
        refusal of a token that was replaced meanwhile (by another thread) costs no call."""
        with self._lock:
            token = self._token
            if refused_bearer is not None and refused_bearer != token.bearer:
                return token
            refused = fingerprint(token.access_token)
            if self._paused is not None and self._paused[0] == refused and self._clock() < self._paused[1]:
                e = self._paused[2]
                raise type(e)(str(e), code=e.code, exit_code=e.exit_code)
            try:
                return self._take(self._fetch(identity=token.identity, min_valid=None, refused=refused))
            except AuthTrayError as e:
                if e.code == "TOKEN_REFUSED_AFTER_RENEWAL":
                    self._paused = (refused, self._clock() + REFUSAL_PAUSE, e)
                raise

    def refresh(self) -> _cli.Token:
        """A new token now, whatever the current one's life: the agent or the CLI refreshes at the
        identity provider (for tests and benchmarks; a script never needs this)."""
        with self._lock:
            return self._take(self._fetch(identity=self._token.identity, min_valid=FORCE_MIN_VALID))

    def offer(self, token: _cli.Token) -> None:
        """A token for this identity obtained elsewhere (another connection's first call)."""
        with self._lock:
            if token.identity == self._token.identity and (token.expires_at or 0) > (self._token.expires_at or 0):
                self._take(token, counted=False)

    def _take(self, token: _cli.Token, counted: bool = True) -> _cli.Token:
        if token.identity != self._token.identity:
            # Never hand one login's token to another's connection.
            raise AuthTrayError(f"openeo-auth-tray answered for {token.identity!r} instead of {self._token.identity!r}.", code="IDENTITY_MISMATCH")
        if counted:
            self.cli_calls += 1
        left = self._remaining(token)
        if left is not None and left > self._life:
            self._life = left
        self._token = token
        return token


class Transport(Protocol):
    """Where tokens come from: ``fetch`` one (raising the AuthTrayError of a failure), valid for
    ``min_valid`` seconds or replacing the one whose fingerprint is ``refused``; ``key`` tells
    transports apart (two with the same key share their sources)."""

    key: Hashable

    def fetch(self, *, identity: Optional[str], min_valid: Optional[float], backend: Optional[str] = None, refused: Optional[str] = None) -> _cli.Token: ...


class TokenSources:
    """One TokenSource per (transport, identity) in this process."""

    def __init__(self, *, clock: Clock = time.time):
        self._clock = clock
        self._lock = threading.Lock()
        _LOCKED.add(self)
        self._sources: Dict[Tuple[Hashable, str], TokenSource] = {}

    def get(self, transport: Transport, identity: Optional[str], backend: Optional[str]) -> TokenSource:
        """The source for the identity the transport picks from ``identity`` and ``backend``; the
        first call also proves that a token can be had (and raises the error if not)."""
        first = transport.fetch(identity=identity, backend=backend, min_valid=FIRST_MIN_VALID)
        key = (transport.key, first.identity)
        with self._lock:
            source = self._sources.get(key)
            if source is None:
                source = self._sources[key] = TokenSource(first, transport.fetch, clock=self._clock)
                return source
        source.offer(first)
        return source

    def existing(self, transport: Transport, identity: str) -> Optional[TokenSource]:
        """This process's source for ``identity`` (a login's id) through ``transport``, if it has
        one; asks nobody."""
        with self._lock:
            return self._sources.get((transport.key, identity))
