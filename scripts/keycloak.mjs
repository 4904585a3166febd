// Keycloak for the test suite. The server distribution (Maven artifact
// org.keycloak:keycloak-quarkus-dist, a zip) is fetched with Maven into a cache folder outside the
// repository and run with a JDK found on the machine.
//
//   node scripts/keycloak.mjs fetch            download + unpack if missing, check the JDK (.ci/run)
//   node scripts/keycloak.mjs where            print what `fetch` found, or why it is not usable
//   node scripts/keycloak.mjs serve --state F  start it (realms from test/fixtures/keycloak), keep
//                                              F up to date ({state: starting|ready|failed}), stop
//                                              it on SIGTERM/SIGINT or when stdin closes
//
// Environment: OPENEO_AUTH_TRAY_KEYCLOAK_CACHE (cache folder, default
// ~/.cache/openeo-auth-tray/keycloak), OPENEO_AUTH_TRAY_KEYCLOAK_PORT (default 18480),
// OPENEO_AUTH_TRAY_KEYCLOAK_JAVA_HOME (a JDK to use instead of the one found).
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The version proven by the suite: the newest 26.x that Maven Central serves here. */
export const KEYCLOAK_VERSION = '26.7.3';
export const KEYCLOAK_ARTIFACT = `org.keycloak:keycloak-quarkus-dist:${KEYCLOAK_VERSION}:zip`;
export const DEFAULT_PORT = 18480;
/** Cold start (first start-dev builds the server) took about 30 s here, a warm one 10–13 s. */
export const DEFAULT_START_TIMEOUT_MS = 240_000;
const REALMS_DIR = fileURLToPath(new URL('../test/fixtures/keycloak/', import.meta.url));

export function cacheDir(env = process.env) {
  return env.OPENEO_AUTH_TRAY_KEYCLOAK_CACHE || join(homedir(), '.cache/openeo-auth-tray/keycloak');
}

export function keycloakPort(env = process.env) {
  const port = Number(env.OPENEO_AUTH_TRAY_KEYCLOAK_PORT || DEFAULT_PORT);
  if (!Number.isInteger(port) || port < 1024 || port > 65535) throw new Error(`OPENEO_AUTH_TRAY_KEYCLOAK_PORT=${env.OPENEO_AUTH_TRAY_KEYCLOAK_PORT} is not a port from 1024 to 65535`);
  return port;
}

/** The major version of the JDK in `home`, or null when there is none that runs. */
function javaMajor(home) {
  const java = join(home, 'bin/java');
  if (!existsSync(java)) return null;
  const r = spawnSync(java, ['-version'], { encoding: 'utf8', timeout: 20_000 });
  const m = /version "(\d+)(?:\.(\d+))?/.exec(`${r.stderr}${r.stdout}`);
  if (!m) return null;
  return m[1] === '1' ? Number(m[2]) : Number(m[1]);
}

/**
 * The JDK to run Keycloak with. Keycloak 26 deprecates Java 17 and wants 21 or later, so the
 * newest JDK >= 21 wins (here: Temurin 25; Debian 12's OpenJDK 17 also starts 26.7.3, but only as
 * a deprecated platform); 17 is a fallback that is said out loud.
 */
export function chooseJdk(env = process.env) {
  const forced = env.OPENEO_AUTH_TRAY_KEYCLOAK_JAVA_HOME;
  if (forced) {
    const major = javaMajor(forced);
    if (major === null) return { ok: false, reason: `OPENEO_AUTH_TRAY_KEYCLOAK_JAVA_HOME=${forced} has no working bin/java` };
    return { ok: true, javaHome: forced, major, why: 'set by OPENEO_AUTH_TRAY_KEYCLOAK_JAVA_HOME' };
  }
  const homes = new Set();
  if (env.JAVA_HOME) homes.add(env.JAVA_HOME);
  if (existsSync('/usr/lib/jvm')) for (const name of readdirSync('/usr/lib/jvm').sort()) homes.add(join('/usr/lib/jvm', name));
  const found = [...homes].map((home) => ({ home, major: javaMajor(home) })).filter((j) => j.major !== null);
  found.sort((a, b) => b.major - a.major);
  const best = found.find((j) => j.major >= 21) ?? found.find((j) => j.major === 17);
  if (!best) {
    const seen = found.map((j) => `${j.home} (${j.major})`).join(', ') || 'none';
    return { ok: false, reason: `no JDK 21+ (or 17) found for Keycloak ${KEYCLOAK_VERSION}; seen: ${seen}. Install one (e.g. apt-get install openjdk-17-jdk-headless) or set OPENEO_AUTH_TRAY_KEYCLOAK_JAVA_HOME` };
  }
  const why = best.major >= 21 ? `newest JDK >= 21 on this machine (Keycloak 26 deprecates Java 17)` : 'only JDK 17 found: Keycloak 26 still runs on it, but deprecates it';
  return { ok: true, javaHome: best.home, major: best.major, why };
}

/** Where the unpacked server lives, if it is there. */
export function keycloakHome(env = process.env) {
  return join(cacheDir(env), `keycloak-${KEYCLOAK_VERSION}`);
}

/** Whether the suite can run Keycloak here: the unpacked server and a JDK, or the reason it cannot. */
export function locateKeycloak(env = process.env) {
  const home = keycloakHome(env);
  if (!existsSync(join(home, 'bin/kc.sh')) || !existsSync(join(home, 'lib'))) {
    return { ok: false, reason: `Keycloak ${KEYCLOAK_VERSION} is not in ${cacheDir(env)}: run \`node scripts/keycloak.mjs fetch\` (needs Maven and Maven Central)` };
  }
  const jdk = chooseJdk(env);
  if (!jdk.ok) return jdk;
  return { ok: true, home, version: KEYCLOAK_VERSION, javaHome: jdk.javaHome, javaMajor: jdk.major, javaWhy: jdk.why };
}

/** Downloads and unpacks the distribution with Maven (once; later calls find it in the cache). */
export function fetchKeycloak(env = process.env) {
  const home = keycloakHome(env);
  if (!existsSync(join(home, 'bin/kc.sh'))) {
    const cache = cacheDir(env);
    mkdirSync(cache, { recursive: true });
    const mvn = spawnSync('mvn', ['-v'], { encoding: 'utf8' });
    if (mvn.status !== 0) throw new Error('Maven (`mvn`) is needed to fetch Keycloak: apt-get install maven');
    const staging = join(cache, `.unpack-${process.pid}`);
    rmSync(staging, { recursive: true, force: true });
    console.error(`keycloak: fetching ${KEYCLOAK_ARTIFACT} with Maven into ${cache}`);
    // Run in the cache folder: the plugin's marker files land there, not in the checkout.
    const r = spawnSync('mvn', ['-q', '-B', 'dependency:unpack', `-Dartifact=${KEYCLOAK_ARTIFACT}`, `-DoutputDirectory=${staging}`], { stdio: 'inherit', cwd: cache });
    if (r.status !== 0) throw new Error(`mvn dependency:unpack ${KEYCLOAK_ARTIFACT} failed (exit ${r.status})`);
    rmSync(home, { recursive: true, force: true });
    renameSync(join(staging, `keycloak-${KEYCLOAK_VERSION}`), home);
    rmSync(staging, { recursive: true, force: true });
  }
  const found = locateKeycloak(env);
  if (!found.ok) throw new Error(found.reason);
  return found;
}

/** Fails clearly when something already listens on the port (another Keycloak, another program). */
export function assertPortFree(port) {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (e) => reject(new Error(e.code === 'EADDRINUSE'
      ? `port ${port} on 127.0.0.1 is taken (another Keycloak or program): stop it, or pick another with OPENEO_AUTH_TRAY_KEYCLOAK_PORT`
      : `cannot listen on port ${port}: ${e.message}`)));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

/** The realms of the suite: `CDSE` as in test/fixtures/keycloak, and `CDSE-revoke` derived from it. */
export function realmDocuments() {
  const cdse = JSON.parse(readFileSync(join(REALMS_DIR, 'CDSE-realm.json'), 'utf8'));
  const revoke = structuredClone(cdse);
  revoke.realm = 'CDSE-revoke';
  revoke.displayName = `${cdse.displayName} with Revoke Refresh Token`;
  // "Revoke Refresh Token" is a realm setting in Keycloak, so the client with it on lives in a
  // realm of its own: each refresh token can be spent once (max reuse 0).
  revoke.revokeRefreshToken = true;
  revoke.refreshTokenMaxReuse = 0;
  for (const client of revoke.clients) if (client.clientId === 'openeo-public') client.clientId = 'openeo-public-revoke';
  for (const user of revoke.users) user.realmRoles = ['default-roles-cdse-revoke'];
  return [cdse, revoke];
}

/**
 * Starts `kc.sh start-dev` on 127.0.0.1:`port` under /auth with an in-memory database and the
 * suite's realms imported, and waits (bounded) until the CDSE realm answers. Resolves with its
 * base URL, the start time and `stop()`; rejects with the server's last log lines when it exits
 * or does not answer in time.
 */
export async function startKeycloak({ port = keycloakPort(), timeoutMs = DEFAULT_START_TIMEOUT_MS, log = () => {} } = {}) {
  const found = locateKeycloak();
  if (!found.ok) throw new Error(found.reason);
  await assertPortFree(port);
  const importDir = join(found.home, 'data/import');
  rmSync(importDir, { recursive: true, force: true });
  mkdirSync(importDir, { recursive: true });
  for (const realm of realmDocuments()) writeFileSync(join(importDir, `${realm.realm}-realm.json`), JSON.stringify(realm));

  const logFile = join(tmpdir(), `openeo-auth-tray-keycloak-${port}.log`);
  const out = openSync(logFile, 'w');
  const started = performance.now();
  // Its own process group: kc.sh starts java as a child, and stop() must end both.
  const child = spawn('sh', [join(found.home, 'bin/kc.sh'), 'start-dev', `--http-port=${port}`, '--http-host=127.0.0.1',
    '--http-relative-path=/auth', '--db=dev-mem', '--import-realm', '--log-level=warn'], {
    cwd: found.home,
    detached: true,
    stdio: ['ignore', out, out],
    env: { ...process.env, JAVA_HOME: found.javaHome },
  });
  closeSync(out);
  let exited = null;
  const exitedPromise = new Promise((resolve) => child.once('exit', (code, signal) => {
    exited = { code, signal };
    resolve();
  }));
  const killGroup = (signal) => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  const onExit = () => killGroup('SIGKILL');
  process.once('exit', onExit);
  const stop = async () => {
    process.off('exit', onExit);
    if (exited) return;
    killGroup('SIGTERM');
    const hard = setTimeout(() => killGroup('SIGKILL'), 15_000);
    await exitedPromise;
    clearTimeout(hard);
  };
  const tail = () => {
    try {
      return readFileSync(logFile, 'utf8').split('\n').filter(Boolean).slice(-15).join('\n');
    } catch {
      return '(no log)';
    }
  };
  const url = `http://127.0.0.1:${port}/auth`;
  const deadline = started + timeoutMs;
  log(`keycloak: starting ${found.version} on JDK ${found.javaMajor} (${found.javaHome}) at ${url}`);
  for (;;) {
    if (exited) throw new Error(`Keycloak exited during start-up (${exited.code ?? exited.signal}); its last lines (${logFile}):\n${tail()}`);
    if (performance.now() > deadline) {
      await stop();
      throw new Error(`Keycloak did not answer within ${Math.round(timeoutMs / 1000)} s; its last lines (${logFile}):\n${tail()}`);
    }
    try {
      const res = await fetch(`${url}/realms/CDSE/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5_000) });
      if (res.ok) {
        await res.arrayBuffer();
        const startMs = Math.round(performance.now() - started);
        log(`keycloak: ready after ${(startMs / 1000).toFixed(1)} s`);
        return { url, port, version: found.version, javaHome: found.javaHome, javaMajor: found.javaMajor, startMs, logFile, stop };
      }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** `serve`: start, report through the state file, stop on a signal or when stdin closes. */
async function serve(stateFile) {
  const write = (state) => {
    writeFileSync(`${stateFile}.tmp`, JSON.stringify(state));
    renameSync(`${stateFile}.tmp`, stateFile);
  };
  write({ state: 'starting', since: Date.now() });
  let server = null;
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    await server?.stop();
    process.exit(0);
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  process.stdin.on('end', shutdown).on('error', shutdown).resume();
  try {
    server = await startKeycloak({ log: (m) => console.error(m) });
    const { stop: _stop, ...facts } = server;
    write({ state: 'ready', ...facts });
    if (stopping) await server.stop();
  } catch (e) {
    write({ state: 'failed', reason: e instanceof Error ? e.message : String(e) });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [command, ...rest] = process.argv.slice(2);
  try {
    if (command === 'fetch') {
      const found = fetchKeycloak();
      console.log(`keycloak: ${found.version} in ${found.home}; JDK ${found.javaMajor} at ${found.javaHome} (${found.javaWhy})`);
    } else if (command === 'where') {
      const found = locateKeycloak();
      console.log(JSON.stringify(found, null, 2));
      process.exitCode = found.ok ? 0 : 1;
    } else if (command === 'serve') {
      const at = rest.indexOf('--state');
      const stateFile = at >= 0 ? rest[at + 1] : undefined;
      if (!stateFile) throw new Error('serve needs --state FILE');
      mkdirSync(dirname(stateFile), { recursive: true });
      await serve(stateFile);
    } else {
      console.error('usage: node scripts/keycloak.mjs fetch | where | serve --state FILE');
      process.exitCode = 2;
    }
  } catch (e) {
    console.error(`keycloak: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  }
}

