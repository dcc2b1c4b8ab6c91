import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { Writable } from 'node:stream';
import { createLogger, redactUrl } from '../../src/app/logger.ts';
import { buildTestApp } from '../support/app.ts';

// Secrets never reach a log line: the logger censors them by name wherever Varco logs objects,
// and request logs carry neither cookies, keys in the query string, nor authorization headers.

function capture(): { logger: ReturnType<typeof createLogger>; text: () => string; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString('utf8'));
      cb();
    },
  });
  const logger = createLogger('info', sink);
  const text = () => chunks.join('');
  return {
    logger,
    text,
    lines: () =>
      text()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

// Each secret is a distinct marker, so a failure names exactly which one leaked.
const SECRETS = {
  password: 'S3CRET-password-1',
  nestedPassword: 'S3CRET-password-2',
  newPassword: 'S3CRET-password-3',
  apiKey: 'S3CRET-apikey-1',
  nestedApiKey: 'S3CRET-apikey-2',
  primaryKey: 'S3CRET-apikey-3',
  subscriptionHeader: 'S3CRET-subkey-1',
  reqSubscriptionHeader: 'S3CRET-subkey-2',
  passphrase: 'S3CRET-passphrase-1',
  shaIn: 'S3CRET-passphrase-2',
  shaOut: 'S3CRET-passphrase-3',
  cardNumber: '4111111111111111',
  ogoneCard: '5555555555554444',
  cvc: '737',
  cookie: 'varco_admin=S3CRET-cookie-1',
  reqCookie: 'varco_portal=S3CRET-cookie-2',
  setCookie: 'varco_admin=S3CRET-cookie-3',
  authorization: 'Bearer S3CRET-auth-1',
  reqAuthorization: 'Basic S3CRET-auth-2',
  token: 'S3CRET-token-1',
};

test('the logger censors passwords, API keys, passphrases, card data, cookies and authorization headers', () => {
  const { logger, text, lines } = capture();
  logger.info(
    { password: SECRETS.password, user: { email: 'a@example.org', password: SECRETS.nestedPassword }, newPassword: SECRETS.newPassword },
    'passwords',
  );
  logger.info({ apiKey: SECRETS.apiKey, subscription: { apiKey: SECRETS.nestedApiKey, primaryKey: SECRETS.primaryKey } }, 'keys');
  logger.info({ passphrase: SECRETS.passphrase, merchant: { shaInPassphrase: SECRETS.shaIn, shaOutPassphrase: SECRETS.shaOut } }, 'passphrases');
  logger.info({ cardNumber: SECRETS.cardNumber, params: { CARDNO: SECRETS.ogoneCard, CVC: SECRETS.cvc } }, 'card');
  logger.info(
    { headers: { cookie: SECRETS.cookie, authorization: SECRETS.authorization, 'ocp-apim-subscription-key': SECRETS.subscriptionHeader } },
    'outbound headers',
  );
  logger.info(
    {
      req: {
        method: 'GET',
        url: '/x',
        headers: { cookie: SECRETS.reqCookie, authorization: SECRETS.reqAuthorization, 'ocp-apim-subscription-key': SECRETS.reqSubscriptionHeader },
      },
      res: { headers: { 'set-cookie': SECRETS.setCookie } },
    },
    'request',
  );
  logger.info({ token: SECRETS.token }, 'token');

  const output = text();
  // The CVC is three digits: searched for without each line's time and pid, where it can occur by chance.
  const content = lines()
    .map(({ time: _time, pid: _pid, ...rest }) => JSON.stringify(rest))
    .join('\n');
  for (const [name, secret] of Object.entries(SECRETS)) assert.equal(content.includes(secret), false, `${name} leaked into the log`);
  // Censored, not dropped: the reader still sees that the field was there.
  assert.ok(lines().length === 7);
  assert.match(output, /"password":"\[redacted\]"/);
  assert.match(output, /"apiKey":"\[redacted\]"/);
  // Harmless fields survive.
  assert.match(output, /"email":"a@example\.org"/);
});

test('secrets nested deeper, in arrays, or under capitalised header names are censored too', () => {
  const { logger, text } = capture();
  logger.info(
    { outbound: { request: { headers: { 'Ocp-Apim-Subscription-Key': 'S3CRET-deep-1', Authorization: 'S3CRET-deep-2', Cookie: 'S3CRET-deep-3' } } } },
    'outbound',
  );
  logger.info({ a: { b: { c: { password: 'S3CRET-deep-4', cardNumber: '4000000000000002' } } } }, 'deep');
  logger.info({ items: [{ apiKey: 'S3CRET-deep-5' }, { clientSecret: 'S3CRET-deep-6', privateKey: 'S3CRET-deep-7' }] }, 'array');
  logger.info({ directlink: { USERID: 'api-user', PSWD: 'S3CRET-deep-8' } }, 'DirectLink');
  const output = text();
  for (const secret of [
    'S3CRET-deep-1',
    'S3CRET-deep-2',
    'S3CRET-deep-3',
    'S3CRET-deep-4',
    '4000000000000002',
    'S3CRET-deep-5',
    'S3CRET-deep-6',
    'S3CRET-deep-7',
    'S3CRET-deep-8',
  ]) {
    assert.equal(output.includes(secret), false, `${secret} leaked into the log`);
  }
});

test('sensitive query parameters are censored in logged URLs', () => {
  const url = redactUrl('/api/v1/x?subscription-key=S3CRET-q1&SHASIGN=S3CRET-q2&CARDNO=4111111111111111&token=S3CRET-q3&orderID=42&USERID=u1&PSWD=S3CRET-q4');
  for (const secret of ['S3CRET-q1', 'S3CRET-q2', '4111111111111111', 'S3CRET-q3', 'S3CRET-q4']) assert.equal(url.includes(secret), false, secret);
  assert.match(url, /orderID=42/);
  assert.match(url, /USERID=u1&PSWD=%5Bredacted%5D/);
  assert.equal(redactUrl('/plain/path'), '/plain/path');
});

test('a request with a key in the query string and cookie and authorization headers leaves none of them in the logs', async () => {
  const testApp = await buildTestApp();
  const responses = [];
  for (const url of [
    '/api/v1/health?subscription-key=SECRET-QUERY-KEY',
    '/api/v1/missing?subscription-key=SECRET-QUERY-KEY',
    '/admin?subscription-key=SECRET-QUERY-KEY',
  ]) {
    responses.push(
      await testApp.app.inject({
        method: 'GET',
        url,
        headers: {
          cookie: 'varco_admin=SECRET-COOKIE-VALUE; __Host-varco_csrf=SECRET-CSRF-VALUE',
          authorization: 'Bearer SECRET-BEARER',
          'ocp-apim-subscription-key': 'SECRET-HEADER-KEY',
        },
      }),
    );
  }
  const raw = testApp.rawLogs();
  assert.ok(raw.length > 0, 'the app logged nothing, so this test would prove nothing');
  for (const secret of ['SECRET-QUERY-KEY', 'SECRET-COOKIE-VALUE', 'SECRET-CSRF-VALUE', 'SECRET-BEARER', 'SECRET-HEADER-KEY']) {
    assert.equal(raw.includes(secret), false, `${secret} leaked into the log`);
  }
  // The path is still logged, so operators can follow requests.
  assert.match(raw, /\/api\/v1\/health\?subscription-key=(%5B|\[)redacted/);

  // Every request's lines carry its request id, the same one the client got back.
  for (const response of responses) {
    const id = String(response.headers['x-request-id']);
    const mine = testApp.logs.filter((line) => line.reqId === id);
    // One access line per request (method, redacted URL, status, time), carrying the request id.
    assert.ok(mine.length >= 1, `request ${id} has ${mine.length} log lines`);
    assert.ok(mine.some((line) => line.msg === 'request completed'));
  }
});

const LOGGER_MODULE = JSON.stringify(new URL('../../src/app/logger.ts', import.meta.url).href);

/** A Node.js process that imports createLogger and runs `body`, its stdout and stderr piped. */
function loggingProcess(body: string): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--input-type=module', '-e', `import { createLogger } from ${LOGGER_MODULE};\n${body}`]);
}

/** Its exit code and output, once it has ended. */
async function ended(child: ChildProcessWithoutNullStreams): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const code = await new Promise<number | null>((done) => child.once('close', done));
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

// The default destination (stdoutDestination) writes lines in batches (16 KB or 20 ms); whatever is
// still held when the process ends must reach stdout, whichever way it ends.
const ENDINGS = [
  { lines: 5000, ending: 'process.exit(0);', code: 0, how: 'exits at once' },
  { lines: 3, ending: 'process.exit(0);', code: 0, how: 'exits at once, with a batch still gathering' },
  { lines: 3, ending: '', code: 0, how: 'ends by itself, with a batch still gathering' },
  { lines: 3, ending: "throw new Error('boom');", code: 1, how: 'dies of an uncaught error, with a batch still gathering' },
];

for (const { lines: count, ending, code: expectedCode, how } of ENDINGS) {
  test(`stdout lines logged in a burst (non-ASCII too) all reach the pipe, whole and in order, when the process ${how} (${count} lines)`, async () => {
    const { code, stdout } = await ended(
      loggingProcess(`
        const logger = createLogger('info');
        for (let i = 0; i < ${count}; i++) logger.info({ n: i, city: 'Forlì–Cesena €' }, 'burst');
        ${ending}
      `),
    );
    assert.equal(code, expectedCode);
    const lines = stdout.split('\n').filter(Boolean);
    assert.equal(lines.length, count);
    lines.forEach((line, i) => {
      const parsed = JSON.parse(line) as { n: number; city: string; msg: string };
      assert.deepEqual([parsed.n, parsed.city, parsed.msg], [i, 'Forlì–Cesena €', 'burst']);
    });
  });
}

test('a lone stdout line is written with no flush while the process runs on (the batch timer)', async () => {
  const child = loggingProcess(`
    createLogger('info').info('alone');
    setTimeout(() => undefined, 30_000);
  `);
  try {
    const line = await new Promise<string>((done, fail) => {
      const timer = setTimeout(() => fail(new Error('the line did not arrive within 5 s')), 5000);
      child.stdout.once('data', (chunk: Buffer) => {
        clearTimeout(timer);
        done(chunk.toString('utf8'));
      });
    });
    assert.equal((JSON.parse(line) as { msg: string }).msg, 'alone');
    assert.equal(child.exitCode, null, 'the process is still running');
  } finally {
    child.kill();
  }
});

test('stdout lines are written in batches, not one write per line', async () => {
  const fs = (await import('node:fs')).default;
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { stdoutDestination, LOG_BATCH_BYTES } = await import('../../src/app/logger.ts');
  const dir = await mkdtemp(join(tmpdir(), 'varco-log-'));
  const file = join(dir, 'out.log');
  const fd = fs.openSync(file, 'w');
  // SonicBoom writes through fs.write: count its calls.
  const original = fs.write;
  let writes = 0;
  fs.write = ((...args: Parameters<typeof fs.write>) => {
    writes++;
    return (original as (...a: unknown[]) => void)(...args);
  }) as typeof fs.write;
  try {
    const logger = createLogger('info', stdoutDestination(fd));
    const count = 2000;
    // Lines logged across many turns of the event loop, as a server's requests are.
    for (let i = 0; i < count; i++) {
      logger.info({ n: i }, 'request completed');
      if (i % 10 === 0) await new Promise((done) => setImmediate(done));
    }
    // flush calls back once everything is written: the file is read at that very moment.
    const text = await new Promise<string>((done, fail) => logger.flush((error) => (error ? fail(error) : done(fs.readFileSync(file, 'utf8')))));
    const lines = text.split('\n').filter(Boolean);
    assert.equal(lines.length, count);
    assert.deepEqual(
      lines.map((l) => (JSON.parse(l) as { n: number }).n),
      Array.from({ length: count }, (_, i) => i),
    );
    const bytes = lines.reduce((sum, l) => sum + l.length + 1, 0);
    // One write per full batch, plus the last (partial) one, plus a little slack for timers that fired.
    const most = Math.ceil(bytes / LOG_BATCH_BYTES) + 5;
    assert.ok(writes <= most, `${writes} writes for ${count} lines (${bytes} bytes); at most ${most} expected`);
  } finally {
    fs.write = original;
    fs.closeSync(fd);
    await rm(dir, { recursive: true, force: true });
  }
});

test('loggers in one process share one exit listener of each kind, however many there are (no MaxListenersExceededWarning)', async () => {
  const { code, stdout, stderr } = await ended(
    loggingProcess(`
      const count = () => process.listenerCount('exit') + process.listenerCount('beforeExit');
      createLogger('info').info({ i: 0 }, 'made');
      const one = count();
      for (let i = 1; i < 30; i++) createLogger('info').info({ i }, 'made');
      process.stderr.write(String(count() - one));
    `),
  );
  assert.equal(code, 0);
  assert.doesNotMatch(stderr, /MaxListeners/);
  // One listener of each kind serves every destination (Varco's and pino's own exit hook).
  assert.equal(stderr, '0', `listeners added by 29 more loggers: ${stderr}`);
  assert.equal(stdout.split('\n').filter(Boolean).length, 30);
});

test('err is an Error’s message and stack; a string or an object given as err is logged as it is, not one key per character', () => {
  const { logger, lines } = capture();
  logger.warn({ err: 'Connection terminated unexpectedly' }, 'outbox worker round failed');
  logger.warn({ err: { code: 'ECONNREFUSED', password: SECRETS.password } }, 'listener lost its connection');
  logger.warn({ err: new Error('boom') }, 'a real error');
  const [text, object, error] = lines();
  assert.equal(text?.err, 'Connection terminated unexpectedly');
  assert.deepEqual(object?.err, { code: 'ECONNREFUSED', password: '[redacted]' });
  assert.equal((error?.err as { message: string }).message, 'boom');
  assert.match((error?.err as { stack: string }).stack, /Error: boom/);
});

test('an error of another realm or a class instance given as err is still censored, with its message', async () => {
  const { runInNewContext } = await import('node:vm');
  const { logger, text, lines } = capture();
  const foreign = runInNewContext(`const e = new Error('from a vm'); e.authorization = 'Bearer ${SECRETS.password}'; e`) as Error;
  class Failure {
    readonly message = 'a class';
    readonly password = SECRETS.nestedPassword;
  }
  logger.warn({ err: foreign }, 'foreign');
  logger.warn({ err: new Failure() }, 'instance');
  assert.ok(!text().includes(SECRETS.password) && !text().includes(SECRETS.nestedPassword), text());
  const [a, b] = lines();
  assert.equal((a?.err as { message: string }).message, 'from a vm');
  assert.equal((b?.err as { password: string }).password, '[redacted]');
});
