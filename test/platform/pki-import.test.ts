import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTestApp } from '../support/app.ts';
import { createTestDatabase } from '../support/db.ts';
import { httpsRequest, startServer } from '../support/server-process.ts';
import { CLI, createOrganisation } from '../support/subscriptions.ts';
import { makeServerPki, startPeer } from '../support/tls-peers.ts';
import { endpoint } from '../stations/support.ts';
import { systemClock } from '../../src/kernel/clock.ts';
import { generateSecretboxKey } from '../../src/kernel/secretbox.ts';
import { createPlatformCa, describeCertificate, issuePlatformClient, issueServerCertificate, type IssuedPair } from '../../src/pki/index.ts';
import { createPlatformPki } from '../../src/modules/platform/index.ts';

// Upgrading an install whose platform PKI lived in data/pki: the first start against a database
// without a PKI imports it (CA, current, next and previous client certificates, sealed), so the
// organisations' stations keep accepting Varco; afterwards the database is the only source, and
// another data directory's files are ignored.

interface LegacyEnv {
  ca: IssuedPair;
  client: IssuedPair;
  next?: IssuedPair;
  previous?: IssuedPair;
}

/** data/pki as Varco wrote it before issue 12. */
async function legacyDataDir(
  options: { withNext?: boolean; dropCaKey?: boolean; foreignClient?: boolean } = {},
): Promise<{ dir: string; envs: Record<'test' | 'prod', LegacyEnv> }> {
  const dir = await mkdtemp(join(tmpdir(), 'varco-legacy-'));
  after(() => rm(dir, { recursive: true, force: true }));
  const now = new Date();
  const envs = {} as Record<'test' | 'prod', LegacyEnv>;
  for (const env of ['test', 'prod'] as const) {
    const ca = await createPlatformCa(env, now);
    const issuer = options.foreignClient ? await createPlatformCa(env, now) : ca;
    const material: LegacyEnv = { ca, client: await issuePlatformClient(issuer, env, now) };
    if (options.withNext && env === 'test')
      Object.assign(material, { next: await issuePlatformClient(ca, env, now), previous: await issuePlatformClient(ca, env, now) });
    const base = join(dir, 'pki', env);
    await mkdir(base, { recursive: true });
    const files: Array<[string, IssuedPair | undefined]> = [
      ['ca', ca],
      ['client', material.client],
      ['next-client', material.next],
      ['previous-client', material.previous],
    ];
    for (const [name, pair] of files) {
      if (pair === undefined) continue;
      await writeFile(join(base, `${name}.crt`), pair.certPem);
      if (!(name === 'ca' && options.dropCaKey)) await writeFile(join(base, `${name}.key`), pair.keyPem, { mode: 0o600 });
    }
    envs[env] = material;
  }
  const server = await issueServerCertificate(envs.test.ca, ['localhost'], now);
  await writeFile(join(dir, 'pki', 'server.crt'), server.certPem);
  await writeFile(join(dir, 'pki', 'server.key'), server.keyPem, { mode: 0o600 });
  return { dir, envs };
}

const fp = (pem: string): string => describeCertificate(pem).fingerprintSha256;

test('an install upgraded with its data/pki keeps its CA and client certificates, and stations keep accepting it', async () => {
  const legacy = await legacyDataDir({ withNext: true });
  const t = await buildTestApp({ env: { VARCO_DATA_DIR: legacy.dir } });
  const test = await t.services.platformCertificates.downloads('test');
  assert.equal(test.caPem, legacy.envs.test.ca.certPem);
  assert.equal(test.current.info.fingerprintSha256, fp(legacy.envs.test.client.certPem));
  assert.equal(test.next?.info.fingerprintSha256, fp(legacy.envs.test.next!.certPem), 'the published next certificate stays published');
  const prod = await t.services.platformCertificates.downloads('prod');
  assert.equal(prod.caPem, legacy.envs.prod.ca.certPem);
  assert.equal(prod.current.info.fingerprintSha256, fp(legacy.envs.prod.client.certPem));
  const rows = await t.database.db
    .selectFrom('platform_client_certificates')
    .select(['fingerprint_sha256', 'state', 'origin', 'key_sealed'])
    .where('environment', '=', 'test')
    .execute();
  assert.deepEqual(
    rows.map((r) => [r.fingerprint_sha256, r.state, r.origin]).sort(),
    [
      [fp(legacy.envs.test.client.certPem), 'current', 'imported'],
      [fp(legacy.envs.test.next!.certPem), 'next', 'imported'],
      [fp(legacy.envs.test.previous!.certPem), 'retired', 'imported'],
    ].sort(),
  );
  for (const row of rows) assert.match(row.key_sealed, /^sb1\./);

  // A station that allow-listed the old platform CA accepts the imported client certificate.
  const org = await createOrganisation(t.database.db, 'Banca Aggiornata');
  const serverPki = await makeServerPki({ commonName: 'localhost', altNames: ['localhost'], rootName: 'Upgrade Root' });
  assert.ok((await t.services.trust.add('test', serverPki.root.certPem, { organisationId: org }, CLI)).ok);
  const peer = await startPeer({ leaf: serverPki.leaf, clientCas: [legacy.envs.test.ca.certPem] });
  const station = await t.services.stations.register(org, 'test', { code: 'UPGRADED', primary: endpoint(peer.url('/node'), '127.0.0.1', peer.port) }, CLI);
  assert.ok(station.ok);
  assert.ok((await t.services.stations.reviewStation(station.value.id, 'approve', '', CLI)).ok);
  const sent = await t.services.stationCaller.send({ organisationId: org, env: 'test', stationId: station.value.id }, { method: 'GET' });
  assert.ok(sent.ok && sent.value.kind === 'response' && sent.value.status === 200, JSON.stringify(sent));
  assert.equal(fp(peer.requests[0]!.clientCertificatePem!), fp(legacy.envs.test.client.certPem));

  // Imported once: another instance with a different data/pki on the same database changes nothing.
  const other = await legacyDataDir();
  const second = createPlatformPki({ db: t.database.db, clock: systemClock, masterKey: t.masterKey, legacyDir: join(other.dir, 'pki') });
  assert.deepEqual(await second.ensure(), { created: [], imported: [] });
  assert.equal((await second.material('test')).caCertPem, legacy.envs.test.ca.certPem);
});

test('a data/pki CA whose private key is missing is refused, never replaced; a client certificate of another CA is re-issued', async () => {
  const database = await createTestDatabase();
  const masterKey = generateSecretboxKey();
  const broken = await legacyDataDir({ dropCaKey: true });
  const refused = createPlatformPki({ db: database.db, clock: systemClock, masterKey, legacyDir: join(broken.dir, 'pki') });
  await assert.rejects(refused.ensure(), /ca\.crt cannot be imported: its private key .*ca\.key is missing or does not match/);
  assert.equal((await database.db.selectFrom('platform_cas').select('environment').execute()).length, 0, 'nothing half-imported');

  const foreign = await legacyDataDir({ foreignClient: true });
  const pki = createPlatformPki({ db: database.db, clock: systemClock, masterKey, legacyDir: join(foreign.dir, 'pki') });
  assert.deepEqual(await pki.ensure(), { created: [], imported: ['test', 'prod'] });
  const material = await pki.material('test');
  assert.equal(material.caCertPem, foreign.envs.test.ca.certPem);
  assert.notEqual(fp(material.current.certPem), fp(foreign.envs.test.client.certPem), 'a leaf that does not chain to the CA would fail every handshake');
  assert.equal(describeCertificate(material.current.certPem).issuer, describeCertificate(foreign.envs.test.ca.certPem).subject);
});

test('a server process started on an upgraded data directory imports it, says so, and serves HTTPS from the imported test CA', async () => {
  const legacy = await legacyDataDir();
  const database = await createTestDatabase();
  const server = await startServer({
    dataDir: legacy.dir,
    env: { DATABASE_URL: database.url, VARCO_MASTER_KEY: generateSecretboxKey().toString('base64'), VARCO_LOG_LEVEL: 'info' },
  });
  after(() => server.stop());
  assert.equal(server.ca, legacy.envs.test.ca.certPem, 'the HTTPS certificate is issued by the CA browsers were told to trust');
  assert.equal((await httpsRequest(server.port, legacy.envs.test.ca.certPem, '/healthz')).status, 200);
  // Log lines reach stdout in batches (up to 20 ms, longer on a busy machine): wait for the line, not for readiness.
  await server.waitForOutput(/imported from the data directory/);
  const imported = server.logs().find((line) => typeof line.msg === 'string' && line.msg.includes('imported from the data directory'));
  assert.deepEqual(imported?.environments, ['test', 'prod']);
  const cas = await database.db.selectFrom('platform_cas').select(['environment', 'cert_pem', 'origin']).orderBy('environment').execute();
  assert.deepEqual(cas, [
    { environment: 'prod', cert_pem: legacy.envs.prod.ca.certPem, origin: 'imported' },
    { environment: 'test', cert_pem: legacy.envs.test.ca.certPem, origin: 'imported' },
  ]);
});
