"""One access token as the agent or the CLI hands it out, and the checks both answers pass."""

import hashlib
import re
from dataclasses import dataclass
from typing import Optional

#: What may go after ``Authorization: Bearer ``: visible ASCII, no space (RFC 6750's b64token
#: and the ``oidc/<provider>/`` prefix fit). Anything else could split or forge a header.
_BEARER_TEXT = re.compile(r"[\x21-\x7e]+")
#: Longest token kept; a JWT is a few KiB.
MAX_TOKEN = 64 * 1024


@dataclass(frozen=True)
class Token:
    """One answer of the agent or of ``openeo-auth-tray token --json``."""

    access_token: str
    #: Epoch seconds, or None when the identity provider gave no lifetime.
    expires_at: Optional[float]
    bearer: str
    identity: str
    label: str
    provider_id: str
    backend: str
    api_url: str
    kind: str

    def __post_init__(self) -> None:
        for name in ("access_token", "bearer"):
            value = getattr(self, name)
            if len(value) > MAX_TOKEN or not _BEARER_TEXT.fullmatch(value):
                raise ValueError(f"{name} is not a token")  # never the value itself

    def __repr__(self) -> str:  # never the token itself
        return f"Token(identity={self.identity!r}, expires_at={self.expires_at!r})"


def fingerprint(access_token: str) -> str:
    """A short, one-way name for an access token, the app's ``accessTokenFingerprint``: the first
    16 hex digits of its SHA-256. What the agent's ``refused`` and the CLI's ``--refused`` take."""
    return hashlib.sha256(access_token.encode("utf-8")).hexdigest()[:16]
