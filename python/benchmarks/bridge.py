"""Benchmark of the Python bridge (run by `npm run bench`, scripts/bench/python-bridge.ts).

Expects the environment of a signed-in test world (OPENEO_AUTH_TRAY_CLI, the private keyring,
OPENEO_AUTH_TRAY_HOME) and prints one JSON object:

- ``per_request_us``: what ``TrayBearerAuth`` adds to a request with a cached token, against the
  client's own ``OidcBearerAuth`` (median of batches, microseconds per request);
- ``cli_calls``, ``tokens``, ``lifetimes``: CLI calls during a script of 8 threads calling
  ``describe_account()`` for ``lifetimes`` access-token lifetimes;
- ``renew_ms`` / ``cli_refresh_ms``: from "needs a token" to a fresh one through the bridge,
  against the CLI's own ``token`` refresh path run directly (medians, interleaved).
"""

import json
import statistics
import subprocess
import sys
import threading
import time

import requests
from openeo.rest.auth.auth import OidcBearerAuth

import openeo_auth_tray
from openeo_auth_tray._cli import find_cli


def per_request_overhead(connection, batches=30, per_batch=20_000):
    """Median µs per request that TrayBearerAuth adds over a fixed OidcBearerAuth."""
    auth = connection.auth
    plain = OidcBearerAuth(provider_id=auth.source.token.provider_id, access_token=auth.source.token.access_token)
    req = requests.Request("GET", connection.root_url + "me").prepare()
    ours, theirs = [], []
    for _ in range(batches):
        for target, out in ((auth, ours), (plain, theirs)):
            t0 = time.perf_counter()
            for _ in range(per_batch):
                target(req)
            out.append((time.perf_counter() - t0) / per_batch * 1e6)
    return statistics.median(ours) - statistics.median(theirs), statistics.median(ours), statistics.median(theirs)


def calls_over_lifetimes(connection, ttl, lifetimes, threads=8):
    source = connection.auth.source
    calls_before = source.cli_calls
    tokens = set()
    lock = threading.Lock()
    end = time.monotonic() + lifetimes * ttl

    def work():
        while time.monotonic() < end:
            connection.describe_account()
            with lock:
                tokens.add(source.token.access_token)
            time.sleep(0.25)

    ts = [threading.Thread(target=work) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return source.cli_calls - calls_before, len(tokens)


def renewal_latency(connection, runs):
    """Interleaved: a renewal through the bridge (the CLI refreshing) vs the CLI's `token` with a
    forced refresh run directly, both as whole processes from Python."""
    source = connection.auth.source
    cli = find_cli()
    bridge, direct = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        source.refresh()  # the CLI refreshes
        bridge.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        subprocess.run([*cli, "token", source.identity, "--min-valid", "86400"], check=True, capture_output=True)
        direct.append((time.perf_counter() - t0) * 1000)
        source.refresh()  # the direct run rotated the login: catch up
    return statistics.median(bridge), statistics.median(direct)


def main():
    ttl, lifetimes, runs = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    connection = openeo_auth_tray.connect()
    connection.describe_account()
    overhead, ours, theirs = per_request_overhead(connection)
    calls, tokens = calls_over_lifetimes(connection, ttl, lifetimes)
    renew_ms, cli_ms = renewal_latency(connection, runs)
    print(json.dumps({
        "per_request_us": overhead, "tray_auth_us": ours, "oidc_bearer_auth_us": theirs,
        "cli_calls": calls, "tokens": tokens, "lifetimes": lifetimes,
        "renew_ms": renew_ms, "cli_refresh_ms": cli_ms,
    }))


if __name__ == "__main__":
    main()
