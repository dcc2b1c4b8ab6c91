import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPlatformCa, describeCertificate, issuedBy, splitPemChain, type SigningCa } from '../../src/pki/index.ts';
import { ensureServerCertificate } from '../../src/modules/platform/index.ts';
import { devServerCaFile } from '../../src/app/container.ts';
import { loadConfig } from '../../src/config/index.ts';

// Each instance's development HTTPS certificate stays on its own disk (its host names, its renewal),
// issued by the shared test platform CA: made once and reused, re-issued when the CA it chains to is
// no longer the platform's (an instance joining a database another instance set up) or a host name
// is new. Its key is written 0600; server-ca.crt is the CA to trust.

const dir = await mkdtemp(join(tmpdir(), 'varco-server-cert-'));
after(() => rm(dir, { recursive: true, force: true }));
const [caA, caB]: SigningCa[] = [await createPlatformCa('test', new Date()), await createPlatformCa('test', new Date())] as [SigningCa, SigningCa];
const ensure = (ca: SigningCa, hostNames = ['pay.varco.test']) => ensureServerCertificate({ dir, hostNames, ca: async () => ca });

test('made once with its key 0600 and the issuing CA beside it, then reused, also under concurrent calls', async () => {
  const [first, ...others] = await Promise.all([1, 2, 3].map(() => ensure(caA!)));
  for (const other of others) assert.equal(other.certPem, first!.certPem);
  assert.equal(await readFile(join(dir, 'server.crt'), 'utf8'), first!.certPem);
  assert.match(await readFile(join(dir, 'server.key'), 'utf8'), /^-----BEGIN PRIVATE KEY-----\n/);
  assert.equal((await stat(join(dir, 'server.key'))).mode & 0o777, 0o600);
  assert.equal(await readFile(join(dir, 'server-ca.crt'), 'utf8'), caA!.certPem);
  assert.deepEqual(splitPemChain(first!.chainPem), [first!.certPem, caA!.certPem]);
  assert.match(describeCertificate(first!.certPem).subject, /^CN=pay\.varco\.test/);
  assert.equal((await ensure(caA!)).certPem, first!.certPem, 'reused on the next start');
});

test('re-issued when the platform CA is another one, or a host name is new', async () => {
  const before = await ensure(caA!);
  const moved = await ensure(caB!);
  assert.notEqual(moved.certPem, before.certPem);
  assert.ok(issuedBy(moved.certPem, caB!.certPem));
  assert.equal(await readFile(join(dir, 'server-ca.crt'), 'utf8'), caB!.certPem);
  const renamed = await ensure(caB!, ['pay.varco.test', 'api.varco.test']);
  assert.notEqual(renamed.certPem, moved.certPem);
  assert.ok(describeCertificate(renamed.certPem).dnsNames.includes('api.varco.test'));
});

test('the CA file named to curl (the key page): data/pki/server-ca.crt where `npm start` runs, none with an operator certificate', () => {
  assert.equal(devServerCaFile(loadConfig({}, '/srv/varco'), '/srv/varco'), 'data/pki/server-ca.crt');
  assert.equal(devServerCaFile(loadConfig({ VARCO_DATA_DIR: '/var/lib/varco' }, '/srv/varco'), '/srv/varco'), '/var/lib/varco/pki/server-ca.crt');
  assert.equal(devServerCaFile(loadConfig({ VARCO_TLS_CERT: 'a.crt', VARCO_TLS_KEY: 'a.key' }, '/srv/varco'), '/srv/varco'), undefined);
});
