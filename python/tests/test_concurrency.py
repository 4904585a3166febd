"""Processes and threads on one rotating login: every request works, no refresh token is spent
twice, and threads of one process share each renewal."""

import json
import math
import subprocess
import sys
import time
from collections import Counter

from conftest import REPO, TTL

#: Runs N threads on one connection for a while; prints what happened as JSON.
HAMMER = r"""
import json, sys, threading, time
import openeo_auth_tray
threads, seconds = int(sys.argv[1]), float(sys.argv[2])
connection = openeo_auth_tray.connect()
errors, requests_done, tokens = [], [0], set()
lock = threading.Lock()
def work():
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            assert connection.describe_account()["user_id"] == "alice"
            with lock:
                requests_done[0] += 1
                tokens.add(connection.auth.source.token.access_token)
        except Exception as e:
            with lock:
                errors.append(f"{type(e).__name__}: {e}")
        time.sleep(0.2)
ts = [threading.Thread(target=work) for _ in range(threads)]
for t in ts: t.start()
for t in ts: t.join()
print(json.dumps({"errors": errors, "requests": requests_done[0], "renewals": connection.auth.source.cli_calls, "tokens": len(tokens)}))
"""


def test_three_processes_and_eight_threads_on_one_rotating_login(world):
    world.sign_in()
    seconds = 2.6 * TTL
    env = world.env(PYTHONPATH=str(REPO / "python"))
    procs = [
        subprocess.Popen([sys.executable, "-c", HAMMER, "8", str(seconds)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    results = {}
    for p in procs:
        out, err = p.communicate(timeout=seconds + 120)
        assert p.returncode == 0, err
        results[p.pid] = json.loads(out.strip().splitlines()[-1])

    for pid, r in results.items():
        assert r["errors"] == [], r["errors"][:3]
        assert r["requests"] > 8 * seconds, f"{pid}: {r['requests']} requests"
    assert world.counters()["errors"] == {}, "0 invalid_grant (or any other refusal) at the IdP"

    calls = Counter(int(c[0]) for c in world.cli_calls() if "--json" in c)
    lifetimes = math.ceil(seconds / TTL) + 1
    for pid, r in results.items():
        # Per process: the first call plus exactly one per renewal, whatever the thread count.
        assert calls[pid] == r["renewals"] + 1, f"{pid}: {calls[pid]} CLI calls for {r['renewals']} renewals"
        # About one renewal per token lifetime (a slow machine may add one after a refusal), not one per thread.
        assert 1 <= r["renewals"] <= 2 * lifetimes, f"{pid}: {r['renewals']} renewals in {seconds} s of {TTL} s tokens"
