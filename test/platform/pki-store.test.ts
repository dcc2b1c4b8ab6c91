import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestDatabase } from '../support/db.ts';
import { createKysely, createPool } from '../../src/db/index.ts';
import { systemClock } from '../../src/kernel/clock.ts';
import { generateSecretboxKey, open } from '../../src/kernel/secretbox.ts';
import { createPlatformPki, type PlatformPki } from '../../src/modules/platform/index.ts';

// The platform PKI in PostgreSQL (migration 0018): created exactly once when many instances start
// together on a fresh database, private keys only ever stored sealed by the master key, and a
// per-process cache that follows changes made elsewhere.

const database = await createTestDatabase();
const masterKey = generateSecretboxKey();

/** An instance of its own: own pool (own connections), own cache. */
function instance(options: { masterKey?: Buffer; cacheTtlMs?: number } = {}): PlatformPki {
  const db = createKysely(createPool(database.url, 2));
  after(() => db.destroy());
  return createPlatformPki({
    db,
    clock: systemClock,
    masterKey: options.masterKey ?? masterKey,
    ...(options.cacheTtlMs === undefined ? {} : { cacheTtlMs: options.cacheTtlMs }),
  });
}

const instances = Array.from({ length: 6 }, () => instance());

test('six instances starting at once on a fresh database create exactly one set; the others read it', async () => {
  assert.equal((await database.db.selectFrom('platform_cas').select('environment').execute()).length, 0, 'a fresh database has no PKI');
  const reports = await Promise.all(instances.map((pki) => pki.ensure()));
  assert.deepEqual(reports.flatMap((r) => r.created).sort(), ['prod', 'test'], 'each environment created by one instance only');
  assert.equal(reports.filter((r) => r.created.length > 0).length, 1);
  const cas = await database.db.selectFrom('platform_cas').select(['environment', 'origin']).orderBy('environment').execute();
  assert.deepEqual(cas, [
    { environment: 'prod', origin: 'created' },
    { environment: 'test', origin: 'created' },
  ]);
  const clients = await database.db.selectFrom('platform_client_certificates').select(['environment', 'state']).orderBy('environment').execute();
  assert.deepEqual(clients, [
    { environment: 'prod', state: 'current' },
    { environment: 'test', state: 'current' },
  ]);
  for (const env of ['test', 'prod'] as const) {
    const seen = await Promise.all(instances.map((pki) => pki.material(env)));
    assert.equal(new Set(seen.map((m) => m.current.chainPem)).size, 1, `${env}: one client certificate everywhere`);
    assert.equal(new Set(seen.map((m) => m.caCertPem)).size, 1, `${env}: one CA everywhere`);
    const { certChainPem, keyPem } = await instances[0]!.identity(env);
    assert.equal(certChainPem, seen[0]!.current.chainPem);
    assert.ok(new X509Certificate(certChainPem).checkPrivateKey(createPrivateKey(keyPem)), 'the opened key is the certificate\u2019s');
  }
  const version = await database.db.selectFrom('platform_settings').select('value').where('name', '=', 'pki_version').executeTakeFirstOrThrow();
  assert.equal(version.value, '1', 'one creation, one version step');
});

test('private keys are stored only sealed by the master key, each bound to its row', async () => {
  const [first] = instances;
  await first!.rotate('prod');
  const rows = [
    ...(await database.db.selectFrom('platform_cas').selectAll().execute()).map((r) => ({ ...r, aad: `platform-ca:${r.environment}` })),
    ...(await database.db.selectFrom('platform_client_certificates').selectAll().execute()).map((r) => ({
      ...r,
      aad: `platform-client:${r.environment}:${r.fingerprint_sha256}`,
    })),
  ];
  assert.equal(rows.length, 5, 'two CAs, two current and one next client certificates');
  for (const row of rows) {
    assert.doesNotMatch(JSON.stringify(row), /PRIVATE KEY|BEGIN EC/, 'no column holds a key in clear');
    assert.match(row.key_sealed, /^sb1\.[A-Za-z0-9_-]{11}\./);
    const keyPem = open(masterKey, row.key_sealed, row.aad);
    assert.ok(new X509Certificate(row.cert_pem).checkPrivateKey(createPrivateKey(keyPem)));
    assert.throws(() => open(generateSecretboxKey(), row.key_sealed, row.aad), /no master key with id/);
  }
  // A sealed key copied into another row does not open there (the aad names the row).
  const [ca] = rows;
  assert.throws(() => open(masterKey, ca!.key_sealed, 'platform-ca:other'), /failed authentication/);
  // The table refuses a key in clear even from the schema owner.
  await assert.rejects(
    database.owner.query(`UPDATE platform_cas SET key_sealed = $1 WHERE environment = 'test'`, [`-----BEGIN PRIVATE KEY-----\nMIG...\n`]),
    /platform_cas_key_sealed_check/,
  );
  // Another master key cannot use the keys (checkMasterKey stops such an instance before it gets here).
  await assert.rejects(instance({ masterKey: generateSecretboxKey() }).identity('test'), /no master key with id/);
});

test('a cached instance follows an activation made elsewhere: at its next read, or after its cache time when it has one', async () => {
  const [maker, reader] = instances;
  const slow = instance({ cacheTtlMs: 3000 });
  const before = (await slow.material('prod')).current.certPem;
  assert.equal((await reader!.material('prod')).current.certPem, before);
  const next = (await reader!.material('prod')).next;
  assert.ok(next !== undefined, 'the next certificate published by another instance is seen');
  const activated = await maker!.activate('prod');
  assert.equal(activated.certPem, next.certPem);
  assert.equal(activated.previousCertPem, before);
  assert.equal((await reader!.material('prod')).current.certPem, next.certPem, 'default: the next read compares versions');
  assert.equal((await slow.material('prod')).current.certPem, before, 'within its cache time an instance may serve the previous one');
  await sleep(3100);
  assert.equal((await slow.material('prod')).current.certPem, next.certPem, 'after it, the new one');
  const retired = await database.db
    .selectFrom('platform_client_certificates')
    .select(['state', 'retired_at'])
    .where('cert_pem', '=', before)
    .executeTakeFirstOrThrow();
  assert.equal(retired.state, 'retired');
  assert.ok(retired.retired_at instanceof Date);
});
