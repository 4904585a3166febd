/**
 * The soak's peers in a process of their own (scripts/bench/soak.ts starts it): the test IdP and
 * one fixture backend with a running batch job for each user, so that the core's heap and CPU
 * are measured without the IdP's (oidc-provider keeps every rotated token in memory).
 * argv: access-token lifetime (s), then the users. Prints one JSON line with the addresses, then
 * runs until its stdin closes.
 */
import { startFixtureBackend } from '../../test/fixtures/openeo-backend.ts';
import { startTestIdp } from '../../test/fixtures/oidc-provider.ts';

async function main(): Promise<void> {
  const [ttl = '60', users = ''] = process.argv.slice(2);
  const idp = await startTestIdp({ accessTokenTtl: Number(ttl), refreshTokenTtl: 30 * 86_400 });
  const backend = await startFixtureBackend({ idp });
  for (const user of users.split(',').filter(Boolean)) {
    backend.addJob(user, { id: `soak-${user}`, title: `Soak job of ${user}`, status: 'running', created: '2026-01-01T00:00:00Z', progress: 10 });
  }
  process.stdout.write(`${JSON.stringify({ issuer: idp.issuer, backendUrl: backend.url })}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => {
    void Promise.all([backend.stop(), idp.stop()]).finally(() => process.exit(0));
  });
}

main().catch((e: unknown) => {
  console.error('soak peers failed:', e);
  process.exit(1);
});
