/**
 * A property over random interleavings, with every part real: two people's logins, the built CLI
 * as separate processes (two at a time where a race is possible), the headless token agent as the
 * tray app would run it, oidc-provider rotating refresh tokens behind the fault proxy, gnome-keyring,
 * real signals (Ctrl-C and kill -9 in the middle of a refresh) and `faketime` for clocks an hour
 * off. Whatever the order, at the end:
 * - every login that was not signed out still yields a token, with no new sign-in;
 * - nothing of a signed-out one is left in the keychain or the settings file;
 * - no refresh token was ever spent twice (no invalid_grant at the IdP).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { CLI_PATH, assertCliBuilt, type CliRun } from '../helpers/cli.ts';
import { signIn, startCliWorld, type CliWorld } from '../e2e/cli-harness.ts';
import type { FaultProxy } from '../fixtures/fault-proxy.ts';

type World = CliWorld & { idpProxy: FaultProxy };
type Person = 'alice' | 'bob';
type Clock = '' | '+1h' | '-1h';
type Op =
  | { kind: 'refresh'; who: Person; clock: Clock }
  | { kind: 'sign-out'; who: Person }
  | { kind: 'sign-in'; who: Person }
  | { kind: 'kill'; who: Person; signal: 'SIGINT' | 'SIGKILL'; clock: Clock };
/** One step: one operation, or two at once (a race). */
type Step = Op[];

const RUNS = Number(process.env.OPENEO_AUTH_TRAY_INTERLEAVINGS ?? 5);
const hasFaketime = spawnSync('faketime', ['-f', '+0s', 'true']).status === 0;

const person = fc.constantFrom<Person>('alice', 'bob');
const clock = fc.constantFrom<Clock>('', '', '+1h', '-1h');
const quick: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('refresh' as const), who: person, clock }),
  fc.record({ kind: fc.constant('sign-out' as const), who: person }),
  fc.record({ kind: fc.constant('sign-in' as const), who: person }),
);
const killing: fc.Arbitrary<Op> = fc.record({ kind: fc.constant('kill' as const), who: person, signal: fc.constantFrom<'SIGINT' | 'SIGKILL'>('SIGINT', 'SIGKILL'), clock });
const step: fc.Arbitrary<Step> = fc.oneof(
  quick.map((op) => [op]),
  fc.tuple(quick, quick).map(([a, b]) => [a, b]),
  killing.map((op) => [op]),
);

function spawnCli(w: World, args: string[], c: Clock): { child: ChildProcess; done: Promise<CliRun> } {
  const argv = c ? ['faketime', '-f', c, process.execPath, CLI_PATH, ...args] : [process.execPath, CLI_PATH, ...args];
  const child = spawn(argv[0]!, argv.slice(1), { env: w.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (x: string) => (stdout += x));
  child.stderr.setEncoding('utf8').on('data', (x: string) => (stderr += x));
  return { child, done: new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }))) };
}

async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function play(steps: Step[]): Promise<void> {
  const w = (await startCliWorld({ idpProxy: true })) as World;
  const agent = spawnCli(w, ['agent', '--foreground'], '');
  try {
    await until('the agent listens', () => existsSync(join(String(w.env.XDG_RUNTIME_DIR), 'openeo-auth-tray', 'agent.sock')));
    const ids = new Map<Person, string | null>([['alice', null], ['bob', null]]);
    const ever = new Set<string>();
    const log: string[] = [];
    const run = async (op: Op): Promise<void> => {
      const id = ids.get(op.who) ?? null;
      switch (op.kind) {
        case 'sign-in': {
          const got = await signIn(w, ['--label', op.who], { login: op.who });
          ids.set(op.who, got);
          ever.add(got);
          return;
        }
        case 'sign-out': {
          if (!id) return;
          const r = await spawnCli(w, ['logout', id], '').done;
          // A sign-out racing another sign-out of the same login may find it gone already.
          assert.ok(r.code === 0 || /does not exist|No login is called/.test(r.stderr), `logout: ${r.stderr}`);
          ids.set(op.who, null);
          return;
        }
        case 'refresh': {
          if (!id) return;
          await spawnCli(w, ['token', id, '--min-valid', '99999'], op.clock).done;
          return;
        }
        case 'kill': {
          if (!id) return;
          w.idpProxy.inject({ path: '/token', fault: { kind: 'delay', ms: Infinity, forward: 'before' } });
          const p = spawnCli(w, ['token', id, '--min-valid', '99999'], op.clock);
          try {
            await until('the refresh at the IdP', () => w.idpProxy.inFlight >= 1 || p.child.exitCode !== null);
            p.child.kill(op.signal);
          } finally {
            w.idpProxy.clear();
          }
          await p.done;
        }
      }
    };
    for (const s of steps) {
      log.push(s.map((op) => JSON.stringify(op)).join(' ∥ '));
      await Promise.all(s.map(run));
    }
    const why = `steps:\n  ${log.join('\n  ')}`;
    const settings = readFileSync(join(w.home, 'settings.json'), 'utf8');
    for (const [who, id] of ids) {
      if (!id) continue;
      const r = await spawnCli(w, ['token', id], '').done;
      assert.equal(r.code, 0, `${who}'s login (${id}) still yields a token: ${r.stderr}\n${why}`);
    }
    const live = new Set([...ids.values()].filter((x): x is string => x !== null));
    for (const id of ever) {
      if (live.has(id)) continue;
      for (const kind of ['refresh_token', 'access_token']) assert.equal(await w.secret(`${id}/${kind}`), null, `${id}/${kind} outlived its sign-out\n${why}`);
      assert.ok(!settings.includes(`"${id}"`), `${id} outlived its sign-out in the settings file\n${why}`);
    }
    assert.equal(w.idp.counters.errors.invalid_grant ?? 0, 0, `a refresh token was spent twice\n${why}`);
  } finally {
    agent.child.kill('SIGTERM');
    await agent.done;
    w.idpProxy.clear();
    await w.stop();
  }
}

test(`random interleavings of refresh, sign-out, sign-in, Ctrl-C, kill -9 and clocks ±1 h across processes (${RUNS} runs)`, { skip: hasFaketime ? false : 'faketime is not installed (Debian package faketime)', timeout: 15 * 60_000 }, async () => {
  assertCliBuilt();
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 3, maxLength: 6 }), async (steps) => {
      // Every run starts with both signed in, so that the steps have logins to act on.
      await play([[{ kind: 'sign-in', who: 'alice' }, { kind: 'sign-in', who: 'bob' }], ...steps]);
    }),
    { numRuns: RUNS, endOnFailure: true },
  );
});
