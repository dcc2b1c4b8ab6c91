import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { buildTestApp } from '../support/app.ts';
import { tempDevPki } from '../support/tls.ts';
import { OPENSSL, makeServerPki, pemBundle } from '../support/tls-peers.ts';

// Issue 10 item 10: TLS 1.2 offers only ECDHE key exchange with AEAD ciphers (no CBC, no SHA-1 MAC,
// no RSA key exchange); TLS 1.3 is unchanged. Checked with `openssl s_client` against the real
// listener, once with the development certificate (ECDSA) and once with an RSA certificate, since
// which TLS 1.2 suites can be negotiated at all depends on the certificate's key.

interface Outcome {
  ok: boolean;
  cipher: string;
  protocol: string;
  output: string;
}

function sClient(port: number, args: string[]): Promise<Outcome> {
  return new Promise((done, fail) => {
    const child = spawn(OPENSSL, ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stdin.end('Q\n');
    const timer = setTimeout(() => child.kill(), 10_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      const cipher = /Cipher is (\S+)/.exec(output)?.[1] ?? '';
      const protocol = /Protocol\s*:\s*(\S+)/.exec(output)?.[1] ?? /New, (TLSv[\d.]+)/.exec(output)?.[1] ?? '';
      done({ ok: code === 0 && cipher !== '' && cipher !== '(NONE)', cipher, protocol, output });
    });
  });
}

async function listen(tls: { cert: string; key: string }): Promise<number> {
  const { app } = await buildTestApp({ tls });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return (app.server.address() as AddressInfo).port;
}

const pki = await tempDevPki();
const ecdsaPort = await listen({ cert: pki.server.chainPem, key: pki.server.keyPem });
const rsa = await makeServerPki({ commonName: 'localhost', altNames: ['localhost', '127.0.0.1'], key: { type: 'rsa', bits: 2048 } });
const rsaPort = await listen({ cert: pemBundle(rsa.leaf), key: rsa.leaf.keyPem });

const cases: Array<{ port: number; key: string; cipher: string; ok: boolean; why: string }> = [
  { port: ecdsaPort, key: 'ECDSA', cipher: 'ECDHE-ECDSA-AES128-GCM-SHA256', ok: true, why: 'ECDHE with AES-GCM' },
  { port: ecdsaPort, key: 'ECDSA', cipher: 'ECDHE-ECDSA-AES256-GCM-SHA384', ok: true, why: 'ECDHE with AES-GCM' },
  { port: ecdsaPort, key: 'ECDSA', cipher: 'ECDHE-ECDSA-CHACHA20-POLY1305', ok: true, why: 'ECDHE with ChaCha20-Poly1305' },
  { port: ecdsaPort, key: 'ECDSA', cipher: 'AES128-SHA', ok: false, why: 'RSA key exchange, CBC, SHA-1' },
  { port: ecdsaPort, key: 'ECDSA', cipher: 'ECDHE-ECDSA-AES128-SHA', ok: false, why: 'CBC with a SHA-1 MAC' },
  { port: ecdsaPort, key: 'ECDSA', cipher: 'ECDHE-ECDSA-AES256-SHA384', ok: false, why: 'CBC' },
  { port: rsaPort, key: 'RSA', cipher: 'ECDHE-RSA-AES128-GCM-SHA256', ok: true, why: 'ECDHE with AES-GCM' },
  { port: rsaPort, key: 'RSA', cipher: 'AES128-SHA', ok: false, why: 'RSA key exchange, CBC, SHA-1' },
  { port: rsaPort, key: 'RSA', cipher: 'AES128-GCM-SHA256', ok: false, why: 'RSA key exchange' },
  { port: rsaPort, key: 'RSA', cipher: 'ECDHE-RSA-AES128-SHA', ok: false, why: 'CBC with a SHA-1 MAC' },
  { port: rsaPort, key: 'RSA', cipher: 'ECDHE-RSA-AES128-SHA256', ok: false, why: 'CBC' },
  { port: rsaPort, key: 'RSA', cipher: 'DHE-RSA-AES128-GCM-SHA256', ok: false, why: 'finite-field DHE' },
];

for (const c of cases) {
  test(`TLS 1.2, ${c.key} certificate: ${c.cipher} is ${c.ok ? 'accepted' : 'refused'} (${c.why})`, async () => {
    const outcome = await sClient(c.port, ['-tls1_2', '-cipher', c.cipher]);
    assert.equal(outcome.ok, c.ok, outcome.output.slice(-800));
    if (c.ok) assert.equal(outcome.cipher, c.cipher);
  });
}

for (const [key, port] of [
  ['ECDSA', ecdsaPort],
  ['RSA', rsaPort],
] as const) {
  test(`TLS 1.3 still works with its default suites (${key} certificate)`, async () => {
    for (const suite of ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']) {
      const outcome = await sClient(port, ['-tls1_3', '-ciphersuites', suite]);
      assert.ok(outcome.ok, outcome.output.slice(-800));
      assert.equal(outcome.cipher, suite);
    }
  });
}
