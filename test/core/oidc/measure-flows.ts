/**
 * Prints how long a loopback device login (interval 1 s) and a refresh take against the test IdP,
 * median of a few runs. Not a test and not asserted:
 *   node --import tsx test/core/oidc/measure-flows.ts [runs]
 */
import { startDeviceLogin } from '../../../src/main/core/oidc/device-login.ts';
import { connectIssuer } from '../../../src/main/core/oidc/issuer.ts';
import { refreshTokens } from '../../../src/main/core/oidc/refresh.ts';
import { approveDevice } from '../../fixtures/device-user.ts';
import { startTestIdp } from '../../fixtures/oidc-provider.ts';

const runs = Math.max(1, Number(process.argv[2] ?? 5));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

const idp = await startTestIdp({ deviceInterval: 1 });
try {
  const conn = await connectIssuer(idp.issuer, idp.publicClientId);
  const device: number[] = [];
  const refresh: number[] = [];
  let refreshToken = '';
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const login = await startDeviceLogin(conn, { scopes: ['openid', 'offline_access'], usePkce: true });
    await approveDevice(login.authorization.verificationUriComplete!);
    refreshToken = (await login.result).refreshToken!;
    device.push(performance.now() - t0);
  }
  for (let i = 0; i < runs * 4; i++) {
    const t0 = performance.now();
    refreshToken = (await refreshTokens(conn, refreshToken)).refreshToken!;
    refresh.push(performance.now() - t0);
  }
  const fmt = (xs: number[]) => `median ${median(xs).toFixed(1)} ms (min ${Math.min(...xs).toFixed(1)}, max ${Math.max(...xs).toFixed(1)}, n=${xs.length})`;
  console.log(`device login, loopback, interval 1 s (incl. user approval over HTTP): ${fmt(device)}`);
  console.log(`refresh (rotating): ${fmt(refresh)}`);
} finally {
  await idp.stop();
}
