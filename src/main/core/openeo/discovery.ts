/**
 * From what a user typed to a versioned openEO API root, as the spec's `/.well-known/openeo`
 * section describes: well-known document first (highest production 1.x), and on its failure the
 * capabilities at the address itself. A URL that already names a version is tried directly.
 */
import { AuthTrayError } from '../errors.ts';
import { trimTrailingSlashes } from '../../../shared/format/peer-text.ts';
import type { OpenEoBackend } from '../../../shared/model.ts';
import { normaliseBackendUrl } from './backend-url.ts';
import { assertSecureUrl } from '../net/loopback.ts';
import { describePeer } from '../net/http-failure.ts';
import { getJson, PeerHttpError, type HttpDeps } from '../net/http.ts';
import {
  ShapeError,
  expectArray,
  expectRecord,
  expectString,
  lenientString,
  optionalArray,
  optionalString,
  withShapeCheck,
} from './validate.ts';

/** One entry of `/.well-known/openeo`. */
export interface ApiInstance {
  url: string;
  apiVersion: string;
  /** Missing in the document means production (as the openEO clients read it). */
  production: boolean;
}

/** A discovered backend, plus whether the chosen API instance is marked production-ready. */
export interface DiscoveredBackend extends OpenEoBackend {
  production: boolean;
}

/** Conformance class announcing plain JWT bearer tokens (openEO API 1.3). */
const JWT_CONFORMANCE = /^https?:\/\/api\.openeo\.org\/[^/]+\/authentication\/jwt\/?$/;

/** Last path segment that looks like an API version: `1.2`, `1.0.0`, `v1`. */
const VERSIONED_PATH = /\/v?\d+(?:\.\d+){0,2}(?:-[0-9a-z.]+)?$/i;

export function parseWellKnown(body: unknown, source = 'the backend'): ApiInstance[] {
  return withShapeCheck(
    () => {
      const doc = expectRecord(body, 'the document');
      return expectArray(doc['versions'], 'versions').map((item, i) => {
        const at = `versions[${i}]`;
        const entry = expectRecord(item, at);
        const production = entry['production'];
        if (production !== undefined && production !== null && typeof production !== 'boolean') {
          throw new ShapeError(`${at}.production`, 'true or false', production);
        }
        return {
          url: expectString(entry['url'], `${at}.url`, { nonEmpty: true }),
          apiVersion: expectString(entry['api_version'], `${at}.api_version`, { nonEmpty: true }),
          production: production !== false,
        };
      });
    },
    { source, document: 'a list of API versions (/.well-known/openeo)' },
  );
}

/** Semantic-version order: numbers part by part, a pre-release before its release. */
export function compareApiVersions(a: string, b: string): number {
  const split = (v: string): [number[], string] => {
    const [core = '', pre = ''] = v.trim().replace(/^v/i, '').split('-', 2);
    return [core.split('.').map((n) => Number.parseInt(n, 10) || 0), pre];
  };
  const [ac, ap] = split(a);
  const [bc, bp] = split(b);
  for (let i = 0; i < Math.max(ac.length, bc.length); i++) {
    const d = (ac[i] ?? 0) - (bc[i] ?? 0);
    if (d !== 0) return d;
  }
  if (ap === bp) return 0;
  if (ap === '') return 1;
  if (bp === '') return -1;
  return ap < bp ? -1 : 1;
}

function isApi1(version: string): boolean {
  return /^v?1(\.|$)/i.test(version.trim());
}

/** The spec's choice: highest production 1.x; if there is none, highest 1.x of all. */
export function pickApiInstance(instances: ApiInstance[]): ApiInstance | undefined {
  const ones = instances.filter((v) => isApi1(v.apiVersion));
  const pool = ones.some((v) => v.production) ? ones.filter((v) => v.production) : ones;
  return pool.sort((a, b) => compareApiVersions(b.apiVersion, a.apiVersion))[0];
}

export function parseCapabilities(
  body: unknown,
  source = 'the backend',
): Pick<OpenEoBackend, 'apiVersion' | 'title' | 'backendVersion' | 'endpoints' | 'conformsTo' | 'jwtBearer'> & { production?: boolean } {
  return withShapeCheck(
    () => {
      const doc = expectRecord(body, 'the document');
      const endpoints = (optionalArray(doc['endpoints'], 'endpoints') ?? []).map((item, i) => {
        const e = expectRecord(item, `endpoints[${i}]`);
        return {
          path: expectString(e['path'], `endpoints[${i}].path`),
          methods: expectArray(e['methods'], `endpoints[${i}].methods`).map((m, j) =>
            expectString(m, `endpoints[${i}].methods[${j}]`).toUpperCase(),
          ),
        };
      });
      const conformsTo = (optionalArray(doc['conformsTo'], 'conformsTo') ?? []).map((c, i) => expectString(c, `conformsTo[${i}]`));
      const caps: ReturnType<typeof parseCapabilities> = {
        apiVersion: expectString(doc['api_version'], 'api_version', { nonEmpty: true }),
        endpoints,
        conformsTo,
        jwtBearer: conformsTo.some((c) => JWT_CONFORMANCE.test(c)),
      };
      const title = optionalString(doc['title'], 'title');
      const backendVersion = lenientString(doc['backend_version']);
      if (title !== undefined) caps.title = title;
      if (backendVersion !== undefined) caps.backendVersion = backendVersion;
      if (typeof doc['production'] === 'boolean') caps.production = doc['production'];
      return caps;
    },
    { source, document: 'capabilities (GET /)' },
  );
}

/** True when the address already ends in an API version (`/openeo/1.2`, `/api/v1`). */
export function isVersionedUrl(url: string): boolean {
  return VERSIONED_PATH.test(new URL(url).pathname);
}

/**
 * Finds the openEO API behind what the user typed.
 *
 * @throws AuthTrayError `INVALID_URL`/`INSECURE_URL` (the input or a listed API address),
 *   `BACKEND_UNREACHABLE`, `BACKEND_INVALID_RESPONSE` (no openEO API there, or no 1.x version),
 *   `BACKEND_ERROR`, `LOGIN_CANCELLED`.
 */
export async function discoverBackend(input: string, deps: HttpDeps = {}): Promise<DiscoveredBackend> {
  const inputUrl = normaliseBackendUrl(input);
  let directFailure: unknown;
  if (isVersionedUrl(inputUrl)) {
    try {
      return await readCapabilities(inputUrl, inputUrl, undefined, deps);
    } catch (e) {
      if (!mayFallBack(e)) throw e;
      directFailure = e;
    }
  }

  let instances: ApiInstance[] | undefined;
  try {
    const res = await getJson(`${inputUrl}/.well-known/openeo`, { ...deps, peer: 'backend' });
    instances = parseWellKnown(res.body, describePeer('backend', new URL(res.url)));
  } catch (e) {
    // The spec: when the well-known document fails, read the capabilities at the address itself.
    if (!mayFallBack(e)) throw e;
  }

  if (instances === undefined) {
    if (directFailure !== undefined) throw explainNoApi(inputUrl, directFailure);
    try {
      return await readCapabilities(inputUrl, inputUrl, undefined, deps);
    } catch (e) {
      throw explainNoApi(inputUrl, e);
    }
  }

  const chosen = pickApiInstance(instances);
  if (chosen === undefined) {
    const found = instances.map((v) => v.apiVersion).join(', ') || 'none';
    throw new AuthTrayError('BACKEND_INVALID_RESPONSE', `The backend at ${new URL(inputUrl).host} offers no openEO API version 1.x (it lists: ${found}).`, {
      nextStep: 'This app speaks openEO API 1.x; check the address or ask the backend operators.',
    });
  }
  const root = assertSecureUrl(chosen.url, `the openEO API ${chosen.apiVersion} listed by ${new URL(inputUrl).host}`);
  return readCapabilities(inputUrl, `${root.origin}${trimTrailingSlashes(root.pathname)}`, chosen.production, deps);
}

async function readCapabilities(inputUrl: string, root: string, listedProduction: boolean | undefined, deps: HttpDeps): Promise<DiscoveredBackend> {
  const res = await getJson(`${root}/`, { ...deps, peer: 'backend' });
  const answered = new URL(res.url);
  const caps = parseCapabilities(res.body, describePeer('backend', answered));
  if (!isApi1(caps.apiVersion)) {
    throw new AuthTrayError('BACKEND_INVALID_RESPONSE', `The backend at ${answered.host} speaks openEO API ${caps.apiVersion}, but this app needs version 1.x.`, {
      nextStep: 'Check the address; the backend may offer a 1.x version at another address.',
    });
  }
  const { production, ...rest } = caps;
  return {
    inputUrl,
    apiUrl: `${answered.origin}${trimTrailingSlashes(answered.pathname)}`,
    ...rest,
    production: production ?? listedProduction ?? true,
  };
}

/** Failures after which the spec's next step is worth trying; network trouble is not one. */
function mayFallBack(e: unknown): boolean {
  if (e instanceof PeerHttpError) return e.status >= 400 && e.status < 500;
  return e instanceof AuthTrayError && e.code === 'BACKEND_INVALID_RESPONSE';
}

function explainNoApi(inputUrl: string, e: unknown): unknown {
  if (e instanceof PeerHttpError && e.status === 404) {
    return new AuthTrayError('BACKEND_INVALID_RESPONSE', `No openEO API was found at ${inputUrl}: it has neither /.well-known/openeo nor openEO capabilities.`, {
      cause: e,
      nextStep: 'Check the address (for CDSE: openeo.dataspace.copernicus.eu).',
    });
  }
  return e;
}
