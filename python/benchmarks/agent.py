"""Python-side timing loops of the token agent's benchmark (run by `npm run bench`,
scripts/bench/agent.ts). Prints one JSON object on its last line.

Two token agents are running, each holding a cached token of the same test IdP login: ours
(``BENCH_OURS_SOCK``, account ``BENCH_OURS_ACCOUNT``) and Debian's oidc-agent
(``BENCH_PEER_SOCK``, account ``BENCH_PEER_ACCOUNT``). Every measure is taken in rounds that
alternate between its contenders (the order turns each round), so a load drift hits all of them.

``calls ROUNDS PER_ROUND`` (cached tokens; times in microseconds, one sample per call):

- ``bridge_agent``: the bridge asking our agent (``TokenChain.fetch``: one round trip, as the
  bridge makes it whenever it needs a token);
- ``bridge_cached``: the bridge's in-process path (``TokenSource.current()`` with a fresh token;
  one sample per round: the mean per call over a batch of 10 000 calls);
- ``lib_ours`` / ``lib_peer``: liboidcagent's ``get_access_token`` (NaCl key exchange);
- ``raw_ours`` / ``raw_peer``: one plain-JSON ``access_token`` request on a raw socket.

``renew ROUNDS`` (milliseconds, one sample per round each):

- ``agent``: a forced refresh through our agent (``min_valid_period: -1``, plain JSON);
- ``raw``: the refresh POST alone (``urllib``, the public client's form, a grant of its own whose
  rotated refresh token is kept in memory; ``BENCH_TOKEN_ENDPOINT``, ``BENCH_CLIENT_ID``,
  ``BENCH_REFRESH_TOKEN``);
- ``peer``: a refresh through oidc-agent (``min_valid_period`` beyond the token's life).

Tokens never leave this process: only timings are printed.
"""

import json
import os
import socket
import statistics
import sys
import time
import urllib.parse
import urllib.request

import liboidcagent

from openeo_auth_tray._chain import TokenChain
from openeo_auth_tray._session import TokenSources

OURS = os.environ["BENCH_OURS_SOCK"]
PEER = os.environ["BENCH_PEER_SOCK"]
OURS_ACCOUNT = os.environ["BENCH_OURS_ACCOUNT"]
PEER_ACCOUNT = os.environ["BENCH_PEER_ACCOUNT"]
HINT = "agent-bench"


def raw_request(path, request):
    """One plain-JSON request on a fresh connection; the parsed answer (read until the agent closes)."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(path)
        sock.sendall(request)
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        sock.close()
    answer = json.loads(b"".join(chunks))
    if answer.get("status") != "success" or not answer.get("access_token"):
        raise SystemExit(f"{path} did not hand out a token: {answer.get('error')} {answer.get('info')}")
    return answer


def token_request(account, min_valid):
    return json.dumps({"request": "access_token", "account": account, "min_valid_period": min_valid, "application_hint": HINT}).encode()


def with_sock(path, call):
    """liboidcagent reads OIDC_SOCK at every call."""

    def run():
        os.environ["OIDC_SOCK"] = path
        return call()

    return run


def interleave(contenders, rounds, per_round, warmup=2):
    """Runs each contender ``per_round`` times per round (a contender given as ``(call, n)`` runs
    ``n`` times), the contenders' order turning each round; one sample per run, as ``call`` returns
    it, or else its time in µs (the first ``warmup`` rounds are not kept)."""
    names = list(contenders)
    samples = {name: [] for name in names}
    clock = time.perf_counter
    for r in range(warmup + rounds):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            call, times = contenders[name] if isinstance(contenders[name], tuple) else (contenders[name], per_round)
            out = samples[name]
            for _ in range(times):
                t0 = clock()
                result = call()
                dt = clock() - t0
                if r >= warmup:
                    out.append(result if isinstance(result, float) else dt * 1e6)
    return samples


def calls(rounds, per_round):
    ours_raw = token_request(OURS_ACCOUNT, 0)
    peer_raw = token_request(PEER_ACCOUNT, 0)
    chain = TokenChain({**os.environ, "OPENEO_AUTH_TRAY_SOCK": OURS})
    source = TokenSources().get(chain, OURS_ACCOUNT, None)
    batch = 10_000

    def cached_batch():
        """µs per call of the bridge's in-process path, over a batch (one call is below the clock's reach)."""
        current = source.current
        t0 = time.perf_counter()
        for _ in range(batch):
            current()
        return (time.perf_counter() - t0) / batch * 1e6

    contenders = {
        "bridge_agent": lambda: chain.fetch(identity=OURS_ACCOUNT, min_valid=5.0).access_token,
        "bridge_cached": (cached_batch, 1),
        "lib_ours": with_sock(OURS, lambda: liboidcagent.get_access_token(OURS_ACCOUNT, 0, HINT)),
        "lib_peer": with_sock(PEER, lambda: liboidcagent.get_access_token(PEER_ACCOUNT, 0, HINT)),
        "raw_ours": lambda: raw_request(OURS, ours_raw)["access_token"],
        "raw_peer": lambda: raw_request(PEER, peer_raw)["access_token"],
    }
    # Every path to an agent hands out that agent's one cached token (the bridge's cache included).
    ours = {contenders[name]() for name in ("bridge_agent", "lib_ours", "raw_ours")} | {source.current().access_token}
    peer = {contenders[name]() for name in ("lib_peer", "raw_peer")}
    if len(ours) != 1 or len(peer) != 1:
        raise SystemExit("an agent handed out different tokens on different paths with a cached token")
    return interleave(contenders, rounds, per_round)


def renew(rounds, warmup=2):
    endpoint = os.environ["BENCH_TOKEN_ENDPOINT"]
    client_id = os.environ["BENCH_CLIENT_ID"]
    state = {"rt": os.environ["BENCH_REFRESH_TOKEN"]}
    forced = token_request(OURS_ACCOUNT, -1)
    # Beyond the IdP's access-token life: oidc-agent refreshes.
    peer_forced = token_request(PEER_ACCOUNT, 10 * 86400)
    seen = {"agent": set(), "peer": set()}

    def raw_refresh():
        body = urllib.parse.urlencode({"grant_type": "refresh_token", "refresh_token": state["rt"], "client_id": client_id}).encode()
        req = urllib.request.Request(endpoint, data=body, method="POST", headers={"content-type": "application/x-www-form-urlencoded"})
        with urllib.request.urlopen(req, timeout=30) as res:
            answer = json.loads(res.read())
        if not answer.get("refresh_token") or not answer.get("access_token"):
            raise SystemExit("the raw refresh got no tokens")
        state["rt"] = answer["refresh_token"]

    contenders = {
        "agent": lambda: seen["agent"].add(raw_request(OURS, forced)["access_token"]),
        "raw": raw_refresh,
        "peer": lambda: seen["peer"].add(raw_request(PEER, peer_forced)["access_token"]),
    }
    samples = interleave(contenders, rounds, 1, warmup)
    for name in ("agent", "peer"):
        if len(seen[name]) != warmup + rounds:
            raise SystemExit(f"{name}: {len(seen[name])} distinct tokens for {warmup + rounds} forced refreshes")
    return {name: [x / 1000 for x in xs] for name, xs in samples.items()}


def summary(xs):
    s = sorted(xs)
    pick = lambda p: s[min(len(s) - 1, max(0, -(-p * len(s) // 100) - 1))]
    return {"median": statistics.median(s), "p10": pick(10), "p90": pick(90), "n": len(s)}


def main():
    what = sys.argv[1]
    if what == "calls":
        out = calls(int(sys.argv[2]), int(sys.argv[3]))
    elif what == "renew":
        out = renew(int(sys.argv[2]))
    else:
        raise SystemExit(f"unknown measure {what!r}")
    print(json.dumps({name: summary(xs) for name, xs in out.items()}))


if __name__ == "__main__":
    main()
