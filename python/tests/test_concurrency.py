"""Processes and threads on one rotating login: every request works, no refresh token is spent
twice, and threads of one process share each renewal."""

import json
import math
import subprocess
import sys
from collections import Counter

from conftest import HAMMER, TTL


def test_three_processes_and_eight_threads_on_one_rotating_login(world):
    world.sign_in()
    seconds = 2.6 * TTL
    env = world.env()
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
