/**
 * The soak: the real app core — settings file, token service under its file locks,
 * lifecycle, job tracker, redaction (the tray menu and tooltip are rebuilt on every change, as
 * the tray does) — against the real test IdP with very short access tokens, until at least
 * 20 000 refreshes have happened across 20 identities. Time is a FakeClock (each timer fires
 * when due, the real work it starts is awaited), so hours of refreshes take minutes. The IdP and
 * the backend run in a child process (scripts/bench/soak-peers.ts): heap and CPU are the core's.
 * The keychain is the in-memory store, so its D-Bus round trips do not drown the core's cost.
 *
 * Reported: heap after GC and CPU per refresh over the first and the last 2 000 refreshes.
 * Goals: heap growth < 5 MiB, CPU per refresh within 10 %.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createAppCore } from '../../src/main/core/tray-app/app-core.ts';
import { createMemorySecretStore } from '../../test/helpers/memory-store.ts';
import { createLogger } from '../../src/main/core/log.ts';
import type { FetchLike } from '../../src/main/core/ports.ts';
import { MAX_REGISTERED_SECRETS, registeredSecretCount } from '../../src/shared/redact.ts';
import { approveDevice } from '../../test/fixtures/device-user.ts';
import { FakeClock } from '../../test/helpers/fake-clock.ts';
import { root } from './setup.ts';
import { verdict, type Row } from './table.ts';

const MiB = 1024 * 1024;
const WINDOW = 2_000;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

interface Mark { refreshes: number; cpuMicros: number; heap: number; at: number }

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

function cpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

export async function soakRows(opts: { refreshes?: number; identities?: number; accessTokenTtlS?: number } = {}): Promise<Row[]> {
  const target = opts.refreshes ?? 20_000;
  const count = opts.identities ?? 20;
  const users = Array.from({ length: count }, (_, i) => `soak-user-${String(i + 1).padStart(2, '0')}`);
  const peers = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts/bench/soak-peers.ts'), String(opts.accessTokenTtlS ?? 60), users.join(',')], {
    cwd: root, stdio: ['pipe', 'pipe', 'inherit'],
  });
  const started = await new Promise<{ issuer: string; backendUrl: string }>((resolve, reject) => {
    createInterface({ input: peers.stdout }).once('line', (line) => resolve(JSON.parse(line) as { issuer: string; backendUrl: string }));
    peers.once('exit', (code) => reject(new Error(`soak peers exited (${code})`)));
  });
  const dir = await mkdtemp(join(tmpdir(), 'openeo-auth-tray-soak-'));

  let refreshes = 0;
  let refreshFailures = 0;
  let listings = 0;
  const counting: FetchLike = async (input, init) => {
    const body = typeof init?.body === 'string' ? init.body : init?.body instanceof URLSearchParams ? init.body.toString() : '';
    const isRefresh = body.includes('grant_type=refresh_token');
    const res = await fetch(input, init);
    if (isRefresh) {
      if (res.ok) refreshes++;
      else refreshFailures++;
    }
    if (String(input instanceof Request ? input.url : input).includes('/jobs')) listings++;
    return res;
  };

  const clock = new FakeClock(Date.now());
  const fakeStart = clock.now();
  const core = createAppCore({
    dir,
    secrets: createMemorySecretStore(),
    clock,
    timers: clock,
    fetch: counting,
    log: createLogger({ file: join(dir, 'logs', 'app.log'), level: 'info' }),
    clipboard: { readText: () => '', writeText: () => undefined },
    openExternal: async () => undefined,
    notify: () => undefined,
    setStartAtLogin: () => undefined,
    pythonStorePath: join(dir, 'python', 'refresh-tokens.json'),
    env: {},
  });
  const realStart = performance.now();
  try {
    await core.start();
    // What the tray does on every change: menu, tooltip and icon again (every label redacted).
    core.onChange(() => {
      core.trayMenu();
      core.trayTooltip();
      core.trayLook();
    });
    for (const user of users) {
      const begun = await core.api.startDeviceLogin({ backendUrl: started.backendUrl, label: user });
      if (!begun.ok) throw new Error(`login of ${user}: ${begun.message}`);
      await approveDevice(begun.value.verificationUriComplete!, { login: user });
      const done = await core.api.awaitLogin(begun.value.loginId);
      if (!done.ok) throw new Error(`login of ${user}: ${done.message}`);
      await clock.advance(2_400); // logins spread over one refresh period
      await core.idle();
    }

    const base = refreshes;
    const marks: Partial<Record<'a0' | 'a1' | 'b0' | 'b1', Mark>> = {};
    const mark = (name: 'a0' | 'a1' | 'b0' | 'b1', end: boolean): void => {
      // A start: GC first, then the CPU reading; an end: the CPU reading first, then GC.
      const cpuFirst = end ? cpuMicros() : 0;
      const heap = heapAfterGc();
      marks[name] = { refreshes: refreshes - base, cpuMicros: end ? cpuFirst : cpuMicros(), heap, at: performance.now() };
    };
    mark('a0', false);
    for (let steps = 0; refreshes - base < target; steps++) {
      const next = clock.pendingTimerTimes()[0];
      if (next === undefined) throw new Error(`no timer armed after ${refreshes - base} refreshes: the lifecycle stopped`);
      if (steps > 50 * target) throw new Error('the soak is not making progress');
      await clock.advanceTo(Math.max(next, clock.now()));
      await core.idle();
      const done = refreshes - base;
      if (!marks.a1 && done >= WINDOW) mark('a1', true);
      if (!marks.b0 && done >= target - WINDOW) mark('b0', false);
    }
    mark('b1', true);
    const { a0, a1, b0, b1 } = marks as Required<typeof marks>;
    const cpuFirst = (a1.cpuMicros - a0.cpuMicros) / 1000 / (a1.refreshes - a0.refreshes);
    const cpuLast = (b1.cpuMicros - b0.cpuMicros) / 1000 / (b1.refreshes - b0.refreshes);
    const growth = (b1.heap - a1.heap) / MiB;
    const realSeconds = (performance.now() - realStart) / 1000;
    const fakeHours = (clock.now() - fakeStart) / 3_600_000;
    const registry = registeredSecretCount();
    return [
      {
        measure: `soak: ${count} identities, access tokens of ${opts.accessTokenTtlS ?? 60} s, real IdP (FakeClock)`,
        value: `${b1.refreshes} refreshes (${refreshFailures} refused), ${listings} job listings, ${fakeHours.toFixed(1)} h simulated in ${realSeconds.toFixed(0)} s`,
        baseline: `≥ ${target} refreshes`,
        ratioTarget: 'no failure',
        verdict: verdict(b1.refreshes >= target && refreshFailures === 0),
      },
      {
        measure: 'soak: heap after GC, end of the first / the last 2 000 refreshes',
        value: `${(a1.heap / MiB).toFixed(1)} MiB → ${(b1.heap / MiB).toFixed(1)} MiB (growth ${growth >= 0 ? '+' : ''}${growth.toFixed(2)} MiB)`,
        baseline: `${(a0.heap / MiB).toFixed(1)} MiB after the logins`,
        ratioTarget: 'growth < 5 MiB',
        verdict: verdict(growth < 5),
      },
      {
        measure: 'soak: CPU per refresh (this process: core, settings writes, tray rebuilds), first / last 2 000',
        value: `${cpuFirst.toFixed(2)} ms → ${cpuLast.toFixed(2)} ms`,
        baseline: `${cpuFirst.toFixed(2)} ms`,
        ratioTarget: `${(cpuLast / cpuFirst).toFixed(2)}× / ≤ 1.10×`,
        verdict: verdict(cpuLast <= cpuFirst * 1.1),
      },
      {
        measure: 'soak: secrets registered for redaction at the end',
        value: `${registry}`,
        baseline: `${3 * b1.refreshes} tokens seen`,
        ratioTarget: `≤ ${MAX_REGISTERED_SECRETS}`,
        verdict: verdict(registry <= MAX_REGISTERED_SECRETS),
      },
    ];
  } finally {
    core.stop();
    await core.idle().catch(() => undefined);
    peers.stdin.end();
    await new Promise((resolve) => peers.once('exit', resolve));
    await rm(dir, { recursive: true, force: true });
  }
}
