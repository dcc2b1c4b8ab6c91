import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '../support/db.ts';
import { startSmtpReceiver, type SmtpReceiver } from '../support/smtp.ts';
import { makeServerPki } from '../support/test-certs.ts';
import { createEmailHandler } from '../../src/app/mail.ts';
import { createLogger } from '../../src/app/logger.ts';
import { loadConfig } from '../../src/config/index.ts';
import { fixedClock } from '../../src/kernel/clock.ts';
import { createOutboxWorker, createSmtpMailer, enqueueEmail } from '../../src/modules/delivery/index.ts';

// Issue 10 item 16: SMTP credentials never cross a connection without TLS, and with
// VARCO_SMTP_REQUIRE_TLS (default true) no mail does. Real smtp-server receivers: a plain one that
// offers AUTH in clear (so a client sending credentials there would be seen doing it), one with
// STARTTLS and one with TLS from the first byte, both with a certificate of a test CA.

const database = await createTestDatabase();
const { db } = database;
const logger = createLogger('warn', new Writable({ write: (_chunk, _enc, done) => done() }));
const pki = await makeServerPki({ commonName: 'localhost', altNames: ['localhost', '127.0.0.1'] });
const tls = { cert: pki.leaf.certPem, key: pki.leaf.keyPem };
const FROM = 'Varco <no-reply@varco.test>';
const PARAMS = {
  firstName: 'John',
  organisationName: 'Pay & Co',
  productName: 'Node connection',
  environment: 'test',
  subscriptionName: 'main',
  link: 'https://varco.test/portal',
};

const withCredentials = (receiver: SmtpReceiver): string => receiver.url.replace('://', '://varco%40mail.test:s3cret-pass@');

/** Enqueues one e-mail and runs one worker round with a mailer for `url`; returns the outbox row after it. */
async function sendOnce(url: string, requireTls: boolean, options: { ca?: string } = {}) {
  const mailer = createSmtpMailer({ url, from: FROM, requireTls, timeoutMs: 3000, ...options });
  const clock = fixedClock(new Date(Date.now() + 1000));
  const worker = createOutboxWorker({ db, clock, logger, workerId: `w-${Math.random()}`, handlers: { email: createEmailHandler(mailer, {}) } });
  try {
    const id = await db
      .transaction()
      .execute((trx) => enqueueEmail(trx, { to: 'john@pay.test', template: 'subscription_approved', locale: 'en', params: PARAMS }));
    await worker.runOnce();
    return await db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  } finally {
    mailer.close();
  }
}

test('credentials and a plain server: no AUTH is ever sent, and the e-mail stays in the outbox with a clear error', async () => {
  const plain = await startSmtpReceiver({ auth: true });
  for (const requireTls of [true, false]) {
    const row = await sendOnce(withCredentials(plain), requireTls);
    assert.equal(row.state, 'pending', `requireTls ${requireTls}`);
    assert.match(row.last_error ?? '', /offers no usable STARTTLS and credentials are sent only over TLS/);
    assert.ok(!(row.last_error ?? '').includes('s3cret-pass'));
  }
  assert.deepEqual(plain.authAttempts, [], 'the receiver never saw AUTH');
  assert.equal(plain.messages.length, 0);
});

test('VARCO_SMTP_REQUIRE_TLS: a plain server gets nothing, even without credentials; turned off, it gets the e-mail', async () => {
  const plain = await startSmtpReceiver();
  const refused = await sendOnce(plain.url, true);
  assert.equal(refused.state, 'pending');
  assert.match(refused.last_error ?? '', /offers no usable STARTTLS and VARCO_SMTP_REQUIRE_TLS is true/);
  assert.equal(plain.messages.length, 0);
  const sent = await sendOnce(plain.url, false);
  assert.equal(sent.state, 'delivered');
  assert.equal(plain.messages.length, 1);
});

test('a STARTTLS server gets the credentials and the e-mail, inside TLS', async () => {
  const starttls = await startSmtpReceiver({ auth: true, tls });
  const row = await sendOnce(withCredentials(starttls), true, { ca: pki.root.certPem });
  assert.equal(row.state, 'delivered', row.last_error ?? '');
  assert.deepEqual(starttls.authAttempts, [{ username: 'varco@mail.test', secure: true }]);
  assert.equal(starttls.messages[0]?.secure, true);
});

test('?tls.ca= names the PEM file of a private CA, as an operator writes it; a file that cannot be read is refused at start', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'varco-smtp-ca-'));
  const caFile = join(dir, 'mail-ca.pem');
  await writeFile(caFile, pki.root.certPem);
  const starttls = await startSmtpReceiver({ auth: true, tls });
  const row = await sendOnce(`${withCredentials(starttls)}?tls.ca=${encodeURIComponent(caFile)}`, true);
  assert.equal(row.state, 'delivered', row.last_error ?? '');
  assert.throws(
    () =>
      loadConfig({ VARCO_DATA_DIR: '/tmp/varco-config-test', VARCO_SMTP_URL: `smtp://mail.test:587?tls.ca=${encodeURIComponent(join(dir, 'missing.pem'))}` }),
    /VARCO_SMTP_URL names in tls\.ca a CA file that cannot be read .*ENOENT/,
  );
});

test('an smtps:// server (TLS from the first byte) gets them too; its certificate is checked', async () => {
  const implicit = await startSmtpReceiver({ auth: true, tls, implicitTls: true });
  const row = await sendOnce(withCredentials(implicit), true, { ca: pki.root.certPem });
  assert.equal(row.state, 'delivered', row.last_error ?? '');
  assert.deepEqual(implicit.authAttempts, [{ username: 'varco@mail.test', secure: true }]);
  const untrusted = await sendOnce(withCredentials(implicit), true);
  assert.equal(untrusted.state, 'pending');
  assert.match(untrusted.last_error ?? '', /certificate/i);
  assert.equal(implicit.authAttempts.length, 1, 'no credentials to a server whose certificate does not verify');
});

test('the URL cannot turn TLS off, and credentials with VARCO_SMTP_REQUIRE_TLS=false are refused at start', () => {
  const load = (env: Record<string, string>) => loadConfig({ VARCO_DATA_DIR: '/tmp/varco-config-test', ...env });
  assert.throws(
    () => load({ VARCO_SMTP_URL: 'smtp://user:pass@mail.test:587', VARCO_SMTP_REQUIRE_TLS: 'false' }),
    /VARCO_SMTP_REQUIRE_TLS is false but VARCO_SMTP_URL carries credentials/,
  );
  assert.throws(() => load({ VARCO_SMTP_URL: 'smtp://mail.test:587?ignoreTLS=true' }), /VARCO_SMTP_URL has the parameter "ignoreTLS"/);
  assert.equal(load({ VARCO_SMTP_URL: 'smtp://user:pass@mail.test:587' }).smtpRequireTls, true, 'required by default');
  // Over smtps:// the connection is TLS anyway: nothing contradicts.
  assert.equal(load({ VARCO_SMTP_URL: 'smtps://user:pass@mail.test:465', VARCO_SMTP_REQUIRE_TLS: 'false' }).smtpRequireTls, false);
  assert.equal(load({ VARCO_SMTP_URL: 'smtp://mail.test:25', VARCO_SMTP_REQUIRE_TLS: 'false' }).smtpRequireTls, false);
  assert.throws(() => createSmtpMailer({ url: 'smtp://mail.test?secure=false', from: FROM, requireTls: true }), /has the parameter "secure"/);
});

test('the URL cannot turn the certificate check off nor lower the TLS version: only tls.ca and tls.servername', () => {
  const load = (env: Record<string, string>) => loadConfig({ VARCO_DATA_DIR: '/tmp/varco-config-test', ...env });
  for (const parameter of ['tls.rejectUnauthorized=false', 'tls.minVersion=TLSv1', 'tls.ciphers=NULL', 'tls.checkServerIdentity=x']) {
    const name = parameter.split('=')[0] ?? '';
    assert.throws(
      () => load({ VARCO_SMTP_URL: `smtps://user:pass@mail.test:465?${parameter}` }),
      new RegExp(
        `VARCO_SMTP_URL has the parameter "${name}"; only tls.ca \\(a private CA's PEM file\\) and tls.servername are supported: the SMTP server's certificate is always verified, with TLS 1.2 or later`,
      ),
      parameter,
    );
    assert.throws(() => createSmtpMailer({ url: `smtps://mail.test:465?${parameter}`, from: FROM, requireTls: true }), new RegExp(`"${name}"`), parameter);
  }
  assert.equal(
    load({ VARCO_SMTP_URL: 'smtps://user:pass@10.0.0.5:465?tls.servername=mail.example.org' }).smtpUrl,
    'smtps://user:pass@10.0.0.5:465?tls.servername=mail.example.org',
  );
});
