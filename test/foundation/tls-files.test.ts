import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/index.ts';
import { readTlsFiles } from '../../src/main/bootstrap.ts';
import { tempDevPki } from '../support/tls.ts';

// VARCO_TLS_CERT and VARCO_TLS_KEY are checked as configuration before the server starts anything:
// read, each PEM of its kind, and a pair. Before, a mismatched pair stopped the server only when the
// HTTPS listener was built (a stack trace, "key values mismatch", naming no setting), and an
// unreadable file only after the embedded cluster had started and migrations had run.

const dir = await mkdtemp(join(tmpdir(), 'varco-tls-files-'));
after(() => rm(dir, { recursive: true, force: true }));
const pki = await tempDevPki();
const files = {
  chain: pki.server.chainPem,
  key: pki.server.keyPem,
  otherKey: pki.envs.test.caKeyPem,
  text: 'not a certificate\n',
  encrypted: generateKeyPairSync('ec', {
    namedCurve: 'P-256',
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'not given to Varco' },
  }).privateKey,
};
for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);

const configWith = (cert: string, key: string) => loadConfig({ VARCO_DATA_DIR: dir, VARCO_TLS_CERT: join(dir, cert), VARCO_TLS_KEY: join(dir, key) });

test('a matching pair is read once, before anything starts; without the settings there is nothing to read', async () => {
  assert.deepEqual(await readTlsFiles(configWith('chain', 'key')), { cert: files.chain, key: files.key, source: join(dir, 'chain') });
  assert.equal(await readTlsFiles(loadConfig({ VARCO_DATA_DIR: dir })), undefined);
});

const refused: Array<[string, string, string, string, RegExp]> = [
  [
    'a key that is not the certificate’s',
    'chain',
    'otherKey',
    'VARCO_TLS_KEY',
    /VARCO_TLS_KEY \(.*otherKey\) is not the private key of the certificate in VARCO_TLS_CERT/,
  ],
  [
    'the two files swapped',
    'key',
    'chain',
    'VARCO_TLS_CERT',
    /VARCO_TLS_CERT \(.*key\) holds no PEM certificate but a private key: are VARCO_TLS_CERT and VARCO_TLS_KEY swapped\?/,
  ],
  ['a certificate file that is not PEM', 'text', 'key', 'VARCO_TLS_CERT', /VARCO_TLS_CERT \(.*text\) holds no PEM certificate$/],
  ['a key file that is not PEM', 'chain', 'text', 'VARCO_TLS_KEY', /VARCO_TLS_KEY \(.*text\) holds no PEM private key$/],
  ['an encrypted key', 'chain', 'encrypted', 'VARCO_TLS_KEY', /VARCO_TLS_KEY \(.*encrypted\) holds an encrypted private key: .*unencrypted/],
  ['a certificate in the key file', 'chain', 'chain', 'VARCO_TLS_KEY', /holds no PEM private key but a certificate/],
  [
    'a certificate file that cannot be read',
    'missing',
    'key',
    'VARCO_TLS_CERT',
    /^Invalid configuration: VARCO_TLS_CERT cannot be read \(ENOENT: .*missing\)$/,
  ],
  ['a key file that cannot be read', 'chain', 'missing', 'VARCO_TLS_KEY', /^Invalid configuration: VARCO_TLS_KEY cannot be read \(ENOENT: .*missing\)$/],
];

for (const [name, cert, key, setting, message] of refused) {
  test(`${name}: a configuration error naming ${setting}`, async () => {
    await assert.rejects(readTlsFiles(configWith(cert, key)), (error: Error) => {
      assert.ok(error instanceof ConfigError, error.stack);
      assert.equal(error.setting, setting);
      assert.match(error.message, message);
      return true;
    });
  });
}
