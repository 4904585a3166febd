/**
 * Sample data for the window: CDSE-like identities, jobs and credits behind a small in-memory
 * `OpenEoAuthApi` with a pinned clock, with the hard cases: eight accounts in all eight states,
 * long labels, hosts, ids and script names, fifty jobs with a 120-character snake_case title. The
 * canned-data window tests (ui-*.test.ts, layout.test.ts) and the documentation screenshots
 * (scripts/doc-screenshots.ts) use it; nothing here is real.
 */
import type {
  BackendChoice, BatchJob, CreditsView, DeviceLoginStarted, ForwardView, IdentityStatus, JobDetails, LoginRequest, Navigation, OpenEoAuthApi, Result, SettingsView,
} from '../../src/shared/api.ts';
import type { Identity } from '../../src/shared/model.ts';
import { VERSION } from '../../src/shared/version.ts';
import { supportDesk, supportMessage } from '../../src/main/core/tray-app/credits.ts';


export const T0 = Date.UTC(2025, 10, 29, 10, 0, 0);
/** What About says where the .deb installed the command (as main says it). */
export const DEB_COMMAND = 'The .deb installed the command as /usr/bin/openeo-auth-tray: run `openeo-auth-tray status` in a terminal.';
export const DAY = 86_400_000;
export const CDSE = 'https://openeo.dataspace.copernicus.eu';
export const ISSUER = 'https://identity.dataspace.copernicus.eu/auth/realms/CDSE';

export function status(over: Partial<IdentityStatus> & Pick<IdentityStatus, 'id' | 'label'>): IdentityStatus {
  return {
    kind: 'personal', backend: CDSE, apiUrl: `${CDSE}/openeo/1.2`, provider: 'CDSE', issuer: ISSUER, clientId: 'openeo-tray',
    userId: null, state: 'active', accessTokenExpiresAt: T0 + 272_000, refreshTokenExpiry: { kind: 'at', at: T0 + 13 * DAY + 2 * 3_600_000 },
    refreshTokenObtainedAt: T0 - 17 * DAY, lastRenewedAt: T0 - 48 * 60_000, offlineSince: null, problem: null, warnWithinMs: 7 * DAY, ...over,
  };
}

/** A script name as long as the agent keeps (200 characters), in snake_case: no place to wrap but its underscores. */
export const LONG_SCRIPT_NAME = `python (${'nightly_mosaic_flanders_landcover_2024_tile_31UFS_'.repeat(4)})`.slice(0, 200);

export const PERSONAL = status({
  id: 'cdse-3f9a1c', label: 'Copernicus (personal)', userId: '5c3f2a1e-8d4b-4c1a-9a7e-2f6b1c0d9e8f',
  scripts: { access: 'allow', lastUseAt: T0 - 58 * 60_000, lastHint: 'python (my_job.py)', lastHour: 14 },
});
export const ROBOT = status({
  id: 'cdse-robot', label: 'Batch robot', kind: 'client-credentials', clientId: 'sh-7d2e1f0a-4b3c-49aa-8e21',
  userId: 'b81f9c2d-77e0-4f3b-a3c5-0d1e2f3a4b5c', refreshTokenExpiry: { kind: 'none' }, refreshTokenObtainedAt: null,
  scripts: { access: 'ask', lastUseAt: null, lastHint: '', lastHour: 0 },
});
/** A service account with everything long: label, backend host, user ID, client ID. */
export const LONG = status({
  id: 'federation-robot', label: 'Nightly mosaics for the Flanders land-cover project (service account)', kind: 'client-credentials',
  backend: 'https://openeo-federated-processing.dataspace.copernicus.eu', apiUrl: 'https://openeo-federated-processing.dataspace.copernicus.eu/openeo/1.2',
  issuer: 'https://identity.dataspace.copernicus.eu/auth/realms/CDSE-federation-partners',
  clientId: 'sh-7d2e1f0a-4b3c-49aa-8e21-federation-nightly-mosaics-client-0001',
  userId: 'service-account-sh-7d2e1f0a-4b3c-49aa-8e21-federation-nightly-mosaics-client-0001',
  refreshTokenExpiry: { kind: 'none' }, refreshTokenObtainedAt: null,
  scripts: { access: 'allow', lastUseAt: T0 - 60_000, lastHint: LONG_SCRIPT_NAME, lastHour: 1 },
});
export const EXPIRED = status({
  id: 'platform-1', label: 'openEO Platform', backend: 'https://openeo.cloud', apiUrl: 'https://openeo.cloud/openeo/1.2',
  provider: 'egi', issuer: 'https://aai.egi.eu/auth/realms/egi', state: 'expired', accessTokenExpiresAt: T0 - 3 * DAY,
  refreshTokenExpiry: { kind: 'at', at: T0 - 2 * DAY }, userId: 'egi-user-42', lastRenewedAt: T0 - 5 * DAY,
});
/** A sliding login that ends soon all the same: its session maximum is 3 days and 5 hours away. */
export const SOON = status({
  id: 'vito-77ab01', label: 'Terrascope', backend: 'https://openeo.vito.be', apiUrl: 'https://openeo.vito.be/openeo/1.2',
  provider: 'terrascope', issuer: 'https://sso.terrascope.be/auth/realms/terrascope', userId: 'terrascope-user-7',
  refreshTokenExpiry: { kind: 'at', at: T0 + 9 * 3_600_000, end: 'sliding', idleMs: 10 * 3_600_000, maxAt: T0 + 3 * DAY + 5 * 3_600_000 },
  refreshTokenObtainedAt: T0 - 26 * DAY,
});
export const OFFLINE = status({
  id: 'eodc-1', label: 'EODC', backend: 'https://openeo.eodc.eu', apiUrl: 'https://openeo.eodc.eu/openeo/1.2', provider: 'egi',
  issuer: 'https://aai.egi.eu/auth/realms/egi', state: 'offline', offlineSince: T0 - 18 * 60_000, refreshTokenExpiry: { kind: 'never' },
  problem: { code: 'IDP_UNREACHABLE', message: 'The identity provider at aai.egi.eu did not answer.' },
});
export const LOCKED = status({
  id: 'cdse-lock', label: 'Copernicus (laptop)', state: 'keychain-unavailable',
  problem: { code: 'KEYCHAIN_LOCKED', message: 'The keychain is locked.' },
});
export const SIGNING_IN = status({
  id: 'sh-1', label: 'Sentinel Hub', backend: 'https://openeo.sentinel-hub.com', apiUrl: 'https://openeo.sentinel-hub.com/production',
  state: 'signing-in', accessTokenExpiresAt: null, refreshTokenExpiry: { kind: 'unknown' }, lastRenewedAt: null,
});
export const SIGNED_OUT = status({
  id: 'cdse-old', label: 'Copernicus (old laptop)', state: 'signed-out', accessTokenExpiresAt: null, refreshTokenExpiry: { kind: 'unknown' },
});
/** The long service account, its last refresh refused by the provider: the error state with long words everywhere. */
export const LONG_FAILING = status({
  ...LONG, state: 'error',
  problem: { code: 'IDP_ERROR', message: 'The identity provider at identity.dataspace.copernicus.eu has a problem right now (HTTP 502): upstream_connect_error_or_disconnect_reset_before_headers.' },
});
/** One identity in each of the eight states, with the long names among them. */
export const ALL_STATES: IdentityStatus[] = [PERSONAL, SOON, EXPIRED, OFFLINE, LOCKED, LONG_FAILING, SIGNING_IN, SIGNED_OUT];

export const fail = (code: string, message: string, nextStep?: string): Result<never> =>
  nextStep ? { ok: false, code, message, nextStep } : { ok: false, code, message };

/** A canned, in-memory API with just enough behaviour to drive every page. */
/** A status row as the settings record it came from, for the core's message builder. */
function asIdentity(row: IdentityStatus): Identity {
  return {
    id: row.id, label: row.label, kind: row.kind, flow: row.kind === 'client-credentials' ? 'client-credentials' : 'device',
    backendUrl: row.backend, apiUrl: row.apiUrl, providerId: row.provider, issuer: row.issuer, clientId: row.clientId, scopes: [],
    jwtBearer: false, ...(row.userId ? { userId: row.userId } : {}), createdAt: T0, accessTokenExpiresAt: row.accessTokenExpiresAt,
    accessTokenObtainedAt: null, refreshTokenExpiry: row.refreshTokenExpiry, refreshTokenObtainedAt: row.refreshTokenObtainedAt ?? null, warningsSent: [],
  };
}

export const JOBS: BatchJob[] = [
  { id: 'j-2511290941a', title: 'NDVI composite Flanders', status: 'finished', created: '2025-11-29T09:41:00Z', updated: '2025-11-29T09:58:11Z', costs: 12.5 },
  { id: 'j-2511291002b', title: 'Sentinel-1 backscatter', status: 'running', progress: 42, created: '2025-11-29T10:02:00Z', updated: '2025-11-29T10:09:00Z' },
  { id: 'j-2511280812c', status: 'error', progress: 31, created: '2025-11-28T08:12:00Z', updated: '2025-11-28T08:19:02Z', costs: 0.4 },
  { id: 'j-20251127-0815-yearly-mosaic-flanders-landcover-2024-tile-31UFS-0001', status: 'canceled', created: '2025-11-27T08:15:00Z', costs: 3 },
];
/** A snake_case title of 120 characters: nothing to wrap at but its underscores. */
export const LONG_TITLE = 'sentinel2_l2a_ndvi_composite_flanders_2024_growing_season_cloud_masked_tiles_31UFS_31UES_31UET_mosaic_v3_reprocessed_v12';
const STATUSES = ['finished', 'finished', 'error', 'running', 'queued', 'finished', 'canceled', 'created'] as const;
/** Fifty jobs, newest first: the long title first, the four of {@link JOBS}, and 45 more of every status. */
export const MANY_JOBS: BatchJob[] = [
  { id: 'j-2511291030-long', title: LONG_TITLE, status: 'running', progress: 7, created: '2025-11-29T10:30:00Z', updated: '2025-11-29T10:31:00Z' },
  ...JOBS,
  ...Array.from({ length: 45 }, (_, i): BatchJob => {
    const status = STATUSES[i % STATUSES.length]!;
    const created = new Date(Date.UTC(2025, 10, 26, 23, 0) - i * 4 * 3_600_000).toISOString().replace('.000', '');
    return {
      id: `j-${created.slice(2, 10).replaceAll('-', '')}-${String(i).padStart(3, '0')}`, title: `Weekly mosaic ${45 - i}`, status, created,
      ...(status === 'running' ? { progress: 60 } : {}), ...(i % 3 === 0 ? { costs: i === 0 ? 1 : i / 2 } : {}),
    };
  }),
];
const ROBOT_JOBS = { started: 3, finished: 1 };

const titleOf = (url: string): string => (url.includes('openeo.cloud') ? 'openEO Platform' : url.includes('vito.be') ? 'Terrascope openEO' : 'Copernicus Data Space Ecosystem');

/** The canned API; `jobs` is what every account's job list holds (the backend pages it by `limit`). */
export function fakeApi(initial: IdentityStatus[], jobs: BatchJob[] = JOBS) {
  let identities = [...initial];
  let settings: SettingsView = { notificationsEnabled: true, warningThresholds: [604800, 86400, 3600], clipboardClearSeconds: 30, startAtLogin: false, pythonSync: true, theme: 'system', checkForUpdates: true };
  const changed = new Set<(list: IdentityStatus[]) => void>();
  const navigateListeners = new Set<(to: Navigation) => void>();
  const pending = new Map<string, (r: Result<{ identityId: string }>) => void>();
  const requests = new Map<string, LoginRequest>();
  let forwards: ForwardView[] = [];
  let n = 0;
  const emit = () => { for (const l of changed) l(identities); };
  const backend = (url: string): BackendChoice => ({
    backendUrl: url, apiUrl: `${url}/openeo/1.2`, apiVersion: '1.2.0', title: titleOf(url),
    defaultLabels: { personal: titleOf(url), serviceAccount: `${titleOf(url)} service account` },
    providers: url.includes('vito.be')
      ? [{ id: 'terrascope', title: 'Terrascope', issuer: SOON.issuer, flows: ['device', 'browser'], isDefault: true }]
      : [
        { id: 'CDSE', title: 'Copernicus Data Space Ecosystem', issuer: ISSUER, flows: ['device', 'browser', 'client-credentials'], isDefault: true },
        { id: 'egi', title: 'EGI Check-in', issuer: 'https://aai.egi.eu/auth/realms/egi', description: 'Academic login', flows: ['device', 'client-credentials'], isDefault: false },
      ],
  });
  const api: OpenEoAuthApi = {
    listIdentities: async () => ({ ok: true, value: identities }),
    discoverBackend: async (url) => {
      if (url.includes(' ') || url === 'not a url') return fail('INVALID_URL', '“not a url” is not a web address.', 'Enter the backend’s URL, for example openeo.dataspace.copernicus.eu.');
      if (url.includes('unreachable')) return fail('BACKEND_UNREACHABLE', 'The backend at unreachable.example did not answer.', 'Check your internet connection and the URL, then try again.');
      return { ok: true, value: backend(url.startsWith('http') ? url : `https://${url}`) };
    },
    startDeviceLogin: async (request) => {
      const loginId = `login-${++n}`;
      requests.set(loginId, request);
      const started: DeviceLoginStarted = {
        loginId, verificationUri: 'http://127.0.0.1:9/device', verificationUriComplete: 'http://127.0.0.1:9/device?user_code=WDJB-MJHT',
        userCode: 'WDJB-MJHT', expiresAt: T0 + 600_000, interval: 1,
      };
      return { ok: true, value: started };
    },
    startBrowserLogin: async (request) => {
      const loginId = `login-${++n}`;
      requests.set(loginId, request);
      return { ok: true, value: { loginId, signInUrl: `${ISSUER}/protocol/openid-connect/auth?client_id=openeo-tray&state=s${n}`, browserOpened: true } };
    },
    awaitLogin: (loginId) => new Promise((resolve) => pending.set(loginId, resolve)),
    cancelLogin: async (loginId) => {
      pending.get(loginId)?.(fail('LOGIN_CANCELLED', 'Sign-in was cancelled.'));
      pending.delete(loginId);
      return { ok: true, value: null };
    },
    addServiceAccount: async (request) => {
      if (request.clientSecret !== 'right-secret') return fail('CLIENT_CREDENTIALS_REFUSED', 'The provider refused the client ID and secret.', 'Check both, or create a new secret where the client is registered.');
      const added = status({ ...ROBOT, id: `sa-${++n}`, label: request.label ?? 'Service account', clientId: request.clientId });
      identities = [...identities, added];
      emit();
      return { ok: true, value: { identityId: added.id } };
    },
    refreshNow: async (id) => {
      const found = identities.find((i) => i.id === id);
      if (!found) return fail('IDENTITY_NOT_FOUND', 'No such account.');
      if (found.state === 'expired') return fail('REFRESH_TOKEN_INVALID', 'The login of openEO Platform has expired.', 'Sign in again.');
      return { ok: true, value: found };
    },
    signOut: async (id) => { identities = identities.filter((i) => i.id !== id); emit(); return { ok: true, value: null }; },
    renameIdentity: async (id, label) => {
      const found = identities.find((i) => i.id === id);
      if (!found) return fail('IDENTITY_NOT_FOUND', 'No such account.');
      const name = label.trim();
      const taken = identities.find((i) => i.id !== id && i.label.toLowerCase() === name.toLowerCase());
      if (taken) return fail('INVALID_ARGUMENT', `Another login is already called “${taken.label}”.`, 'Choose another name.');
      const renamed = { ...found, label: name };
      identities = identities.map((i) => (i.id === id ? renamed : i));
      emit();
      return { ok: true, value: renamed };
    },
    copy: async () => ({ ok: true, value: { clearsInSeconds: settings.clipboardClearSeconds } }),
    copyText: async () => ({ ok: true, value: { clearsInSeconds: 30 } }),
    getCredits: async (id) => {
      const found = identities.find((i) => i.id === id);
      if (!found) return fail('IDENTITY_NOT_FOUND', 'No such account.');
      const view: CreditsView = {
        identityId: id, kind: found.kind, budget: found.kind === 'personal' ? 9_520 : null,
        billingUrl: 'https://marketplace-portal.dataspace.copernicus.eu/billing',
        serviceAccount: found.kind === 'personal' ? null : {
          clientId: found.clientId, userId: found.userId, personalUserId: PERSONAL.userId, personalLabel: PERSONAL.label,
          supportMessage: supportMessage(asIdentity(found), found.userId, asIdentity(PERSONAL), ROBOT_JOBS),
          support: supportDesk(found.backend, null),
          process: found.backend === CDSE ? 'cdse' : 'ask-operators',
          batchJobs: ROBOT_JOBS,
        },
      };
      return { ok: true, value: view };
    },
    listJobs: async (_id, page) => {
      const offset = page.next ? Number(new URL(page.next).searchParams.get('offset')) : 0;
      const end = offset + page.limit;
      const next = end < jobs.length ? `${CDSE}/openeo/1.2/jobs?limit=${page.limit}&offset=${end}` : null;
      return { ok: true, value: { jobs: jobs.slice(offset, end), currency: 'credits', next } };
    },
    refreshJobs: async (_id, ids) => ({ ok: true, value: { jobs: jobs.filter((j) => ids.includes(j.id)) } }),
    getJob: async (_id, jobId) => {
      const job = jobs.find((j) => j.id === jobId);
      if (!job) return fail('JOB_NOT_FOUND', 'The backend has no such job.');
      const details: JobDetails = {
        job, currency: 'credits',
        logs: { ok: true, more: false, entries: job.status === 'error'
          ? [{ level: 'info', time: '2025-11-28T08:12:40Z', message: 'Job started on 4 executors.' },
            { level: 'error', time: '2025-11-28T08:19:02Z', message: 'load_collection: no data for SENTINEL2_L2A in the requested extent and time range.' }]
          : [{ level: 'info', time: '2025-11-29T09:41:30Z', message: 'Job started on 8 executors.' }, { level: 'info', time: '2025-11-29T09:58:11Z', message: 'Result written: openEO.tif (148 MB).' }] },
        results: job.status !== 'finished' ? null : {
          ok: true, canonical: `${CDSE}/openeo/1.2/jobs/${job.id}/results/signed-3f7a`, expires: '2025-12-06T09:58:00Z',
          assets: [{ title: 'openEO.tif', href: `${CDSE}/openeo/1.2/jobs/${job.id}/results/assets/signed-3f7a/openEO.tif`, type: 'image/tiff' }],
        },
      };
      return { ok: true, value: details };
    },
    getSettings: async () => ({ ok: true, value: settings }),
    updateSettings: async (patch) => { settings = { ...settings, ...patch }; return { ok: true, value: settings }; },
    openExternal: async () => ({ ok: true, value: null }),
    openLogFolder: async () => ({ ok: true, value: null }),
    setScriptAccess: async (id, access) => {
      const found = identities.find((i) => i.id === id);
      if (!found) return fail('IDENTITY_NOT_FOUND', 'No such account.');
      const changed = { ...found, scripts: { ...(found.scripts ?? { lastUseAt: null, lastHint: '', lastHour: 0 }), access } };
      identities = identities.map((i) => (i.id === id ? changed : i));
      emit();
      return { ok: true, value: changed };
    },
    listForwards: async () => ({ ok: true, value: { running: true, problem: null, forwards } }),
    // About: this version, up to date since an hour ago, and the .deb's command (edit() for other states).
    getAbout: async () => ({ ok: true, value: { version: VERSION, updates: { kind: 'up-to-date', automatic: settings.checkForUpdates, lastCheckedAt: T0 - 3_600_000 }, commandLine: { offered: false, how: DEB_COMMAND } } }),
    checkForUpdates: async () => ({ ok: true, value: { kind: 'up-to-date', automatic: settings.checkForUpdates, lastCheckedAt: T0 } }),
    installUpdate: async () => ({ ok: true, value: { restarting: false } }),
    installCommandLine: async () => fail('COMMAND_LINE_INSTALL_FAILED', 'This installation does not install the command line tool itself.', DEB_COMMAND),
    createForward: async (ids, forSeconds) => {
      const id = (0x0a1b2c3d + ++n).toString(16).padStart(8, '0');
      const forward: ForwardView = {
        id, until: T0 + forSeconds * 1000,
        identities: ids.map((i) => ({ id: i, label: identities.find((x) => x.id === i)?.label ?? i })),
        ssh: `ssh -R /tmp/openeo-auth-tray-forward-${id}.sock:/run/user/1000/openeo-auth-tray/forward-${id}.sock HOST`,
      };
      forwards = [...forwards, forward];
      emit();
      return { ok: true, value: forward };
    },
    stopForward: async (id) => {
      const before = forwards.length;
      forwards = forwards.filter((f) => f.id !== id);
      emit();
      return { ok: true, value: { stopped: forwards.length < before } };
    },
    onIdentitiesChanged: (l) => { changed.add(l); return () => changed.delete(l); },
    onNavigate: (l) => { navigateListeners.add(l); return () => navigateListeners.delete(l); },
  };
  return {
    api,
  };
}
