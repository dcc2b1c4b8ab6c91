import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { test } from 'node:test';
import { csrfFrom } from '../support/cookies.ts';
import { launchBrowser, screenshotOnFailure } from '../support/browser.ts';
import { watchProblems } from '../support/page-checks.ts';
import { handshake } from '../support/tls.ts';
import { getStatus, httpsRequest, isAlive, postmasterPid, runCli, sleep, startServer, type ServerProcess } from '../support/server-process.ts';

// Issue 2's "done when", end to end: the real `npm start` process with its own embedded PostgreSQL
// in a temp data directory, `npx varco admin create` beside it, Chromium, TLS clients and signals.
// The tests run in order and share one data directory, as an operator's first hour would.

const EMAIL = 'first.admin@example.org';
const PASSWORD = 'quiet-meadow-lantern-42';
const EMAIL_SHOWN = new RegExp(EMAIL.replaceAll('.', '\\.'));

let server: ServerProcess | undefined;
const running = (): ServerProcess => {
  assert.ok(server, 'an earlier step did not start the server');
  return server;
};

/** The `name=value` pairs of a response's Set-Cookie headers, as one Cookie header. */
function cookiesOf(headers: Record<string, string | string[] | undefined>): string {
  const raw = headers['set-cookie'];
  return (Array.isArray(raw) ? raw : raw ? [raw] : []).map((c) => c.split(';')[0]).join('; ');
}

/** The start-up banner: the server listens (and is ready) a moment before it prints it. */
async function banner(s: ServerProcess): Promise<string> {
  await s.waitForOutput(/(or from a shell: npx varco admin create|Administrators sign in at)[^\n]*\n/);
  return s.stdout();
}

/** Signs in over plain HTTPS requests; returns the signed-in back office page. */
async function signInOverHttp(s: ServerProcess): Promise<string> {
  const form = await httpsRequest(s.port, s.ca, '/admin/sign-in');
  assert.equal(form.status, 200);
  const body = new URLSearchParams({ _csrf: csrfFrom(form.body), email: EMAIL, password: PASSWORD }).toString();
  const signIn = await httpsRequest(s.port, s.ca, '/admin/sign-in', {
    method: 'POST',
    body,
    headers: { cookie: cookiesOf(form.headers), 'content-type': 'application/x-www-form-urlencoded' },
  });
  assert.equal(signIn.status, 303, signIn.body);
  assert.equal(signIn.headers.location, '/admin');
  const home = await httpsRequest(s.port, s.ca, '/admin', { headers: { cookie: cookiesOf(signIn.headers) } });
  assert.equal(home.status, 200);
  return home.body;
}

test('first start initialises the cluster, prints the URLs and a one-time setup link', async () => {
  server = await startServer();
  const out = await banner(server);
  for (const surface of ['/portal', '/admin', '/api', '/ncol', '/readyz']) assert.ok(out.includes(`${server.baseUrl}${surface}`), `${surface} in:\n${out}`);
  const link = /https:\/\/localhost:\d+(\/admin\/setup\?token=[\w-]+)/.exec(out);
  assert.ok(link?.[1], `setup link in:\n${out}`);
  assert.equal(await getStatus(server.port, link[1], server.ca), 200);
  assert.ok(existsSync(join(server.dataDir, 'pg', 'PG_VERSION')), 'cluster initialised in the data directory');
});

test('smoke (real process): `varco admin create` succeeds beside the running server, sharing its cluster', async () => {
  const s = running();
  const pgBefore = await postmasterPid(s.dataDir);
  const passwordFile = join(s.dataDir, 'admin-password.txt');
  await writeFile(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
  const result = await runCli(['admin', 'create', '--email', EMAIL, '--password-file', passwordFile], {
    VARCO_DATA_DIR: s.dataDir,
    VARCO_EMBEDDED_PG_PORT: String(s.pgPort),
  });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, new RegExp(`Administrator ${EMAIL_SHOWN.source} created`));
  assert.equal(await postmasterPid(s.dataDir), pgBefore, 'the CLI used the running cluster and left it running');
  assert.equal(await getStatus(s.port, '/readyz', s.ca), 200);
  const link = /\/admin\/setup\?token=[\w-]+/.exec(s.stdout());
  assert.equal(await getStatus(s.port, link?.[0] ?? '', s.ca), 410, 'the setup link stops working once an administrator exists');
});

test('in Chromium: sign in to the back office, see it, sign out', async () => {
  const s = running();
  // Chromium accepts exactly the server's key (see launchBrowser); any other certificate fails.
  const context = await launchBrowser({ serverCertificate: await readFile(join(s.dataDir, 'pki', 'server.crt'), 'utf8') });
  const page = await context.newPage();
  const problems = await watchProblems(page);
  await screenshotOnFailure(page, 'foundation-sign-in', async () => {
    await page.goto(`${s.baseUrl}/admin`);
    await page.waitForURL(`${s.baseUrl}/admin/sign-in`);
    await page.getByLabel('E-mail').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${s.baseUrl}/admin`);
    await page.getByText(EMAIL).first().waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/admin\/sign-in\?signedOut=1$/);
    assert.equal((await page.getByRole('status').textContent())?.trim(), 'You are signed out.');
    await page.goto(`${s.baseUrl}/admin`);
    await page.waitForURL(`${s.baseUrl}/admin/sign-in`);
    await page.getByLabel('E-mail').waitFor();
    // The icon Chromium asks for by itself (/favicon.ico) loads under the pages' CSP: no 404 in the console.
    const iconWidth = await page.evaluate<number>(
      `new Promise((done) => { const icon = new Image(); icon.onload = () => done(icon.naturalWidth); icon.onerror = () => done(0); icon.src = '/favicon.ico'; })`,
    );
    assert.ok(iconWidth > 0, 'the icon loads');
    assert.deepEqual(problems.console, []);
  });
});

test('TLS 1.1 is refused by the server, TLS 1.2 accepted with a chain to the test CA', async () => {
  const s = running();
  const old = await handshake({ port: s.port, minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0', rejectUnauthorized: false });
  assert.equal(old.ok, false);
  // The alert comes from the server: the client did offer TLS 1.1 (a client that could not would fail with NO_PROTOCOLS_AVAILABLE).
  if (!old.ok) assert.equal(old.error.code, 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', old.error.message);
  const modern = await handshake({ port: s.port, ca: s.ca, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
  assert.ok(modern.ok && modern.authorized && modern.protocol === 'TLSv1.2', JSON.stringify(modern));
});

test('SIGTERM finishes the request in flight, stops PostgreSQL and exits 0', async () => {
  const s = running();
  const pg = await postmasterPid(s.dataDir);
  assert.ok(pg, 'postmaster running');
  const form = await httpsRequest(s.port, s.ca, '/admin/sign-in');
  const body = new URLSearchParams({ _csrf: csrfFrom(form.body), email: EMAIL, password: PASSWORD }).toString();
  // A keep-alive connection with a sign-in whose body is half sent: the request is in flight.
  const socket = connect({ host: '127.0.0.1', port: s.port, servername: 'localhost', ca: s.ca });
  await new Promise<void>((done, fail) => {
    socket.once('secureConnect', done);
    socket.once('error', fail);
  });
  let response = '';
  let answeredAt = 0;
  socket.on('data', (chunk: Buffer) => {
    answeredAt ||= Date.now();
    response += chunk.toString('utf8');
  });
  let closedAt = 0;
  const closed = new Promise<void>((done) =>
    socket.once('close', () => {
      closedAt = Date.now();
      done();
    }),
  );
  socket.write(
    `POST /admin/sign-in HTTP/1.1\r\nHost: localhost:${s.port}\r\nConnection: keep-alive\r\nCookie: ${cookiesOf(form.headers)}\r\n` +
      `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 10)}`,
  );
  await sleep(200);
  // One signal only, so the log shows a single shutdown.
  const signalled = Date.now();
  const stopped = s.stop('SIGTERM', 30_000);
  await s.waitForOutput(/shutting down/);
  await sleep(300);
  // write, not end: a client half-close (FIN) makes Node abort the request, as a real client never does.
  socket.write(body.slice(10));
  const code = await stopped;
  await closed; // the server's exit closed it at the latest
  // The kept-alive connection is closed once its answer is sent, not at the end of the 10 s grace
  // period. Timed from the answer: the sign-in's argon2 check before it, and PostgreSQL's stop after
  // it, take seconds on a busy machine.
  assert.ok(answeredAt > 0 && closedAt - answeredAt < 3000, `closed ${closedAt - answeredAt} ms after the answer`);
  // Nothing waited for the grace period. The whole stop is bounded by stop()'s 30 s only: PostgreSQL's
  // shutdown checkpoint, last, is fsync-bound and took seconds on a machine whose disk the rest of the
  // suite keeps busy (the "stopped" line times each step).
  const steps = s.logs().find((l) => l.msg === 'stopped')?.ms as Record<string, number> | undefined;
  assert.ok(steps?.http !== undefined && steps.http < 10_000, `stopped after ${Date.now() - signalled} ms, steps ${JSON.stringify(steps)}`);
  assert.equal(s.logs().filter((l) => String(l.msg).includes('after the grace period')).length, 0);
  assert.match(response, /^HTTP\/1\.1 303 /, `the request in flight got its answer:\n${response}`);
  assert.match(response, /\r\nlocation: \/admin\r\n/i);
  assert.match(response, /set-cookie: varco_admin=/i);
  assert.equal(code, 0, s.stderr());
  const logs = s.logs();
  const at = (test: (line: Record<string, unknown>) => boolean, from = 0): number => logs.findIndex((l, i) => i >= from && test(l));
  const shuttingDown = at((l) => String(l.msg).startsWith('shutting down'));
  const answered = at((l) => l.msg === 'request completed' && (l.res as { statusCode?: number } | undefined)?.statusCode === 303, shuttingDown);
  const stoppedAt = at((l) => l.msg === 'stopped');
  assert.ok(
    shuttingDown >= 0 && shuttingDown < answered && answered < stoppedAt,
    `logged: shutting down, then the sign-in answered, then "stopped":\n${s.stdout().slice(-2000)}`,
  );
  assert.equal(existsSync(join(s.dataDir, 'pg', 'postmaster.pid')), false, 'postgres stopped cleanly');
  assert.equal(isAlive(pg), false);
  assert.equal(existsSync(join(s.dataDir, 'varco-server.pid')), false);
});

test('a second start reuses the data: no setup link, the administrator signs in', async () => {
  const previous = running();
  server = await startServer({ dataDir: previous.dataDir, port: previous.port, pgPort: previous.pgPort });
  const out = await banner(server);
  assert.doesNotMatch(out, /setup\?token=/);
  assert.match(out, /Administrators sign in at https:\/\/localhost:\d+\/admin\/sign-in/);
  assert.match(await signInOverHttp(server), EMAIL_SHOWN);
});

test('after SIGKILL the orphaned PostgreSQL keeps running; the next start recovers it', async () => {
  const killed = running();
  const orphan = await postmasterPid(killed.dataDir);
  assert.ok(orphan);
  assert.equal(await killed.stop('SIGKILL'), null);
  await sleep(300);
  assert.ok(isAlive(orphan), 'PostgreSQL outlives a SIGKILLed server');
  assert.equal(await postmasterPid(killed.dataDir), orphan);

  server = await startServer({ dataDir: killed.dataDir, port: killed.port, pgPort: killed.pgPort });
  const fresh = await postmasterPid(server.dataDir);
  assert.ok(fresh && fresh !== orphan, 'the orphan was stopped and a new cluster started');
  assert.equal(isAlive(orphan), false);
  assert.match(await signInOverHttp(server), EMAIL_SHOWN);

  assert.equal(await server.stop('SIGTERM'), 0, server.stderr());
  assert.equal(await postmasterPid(server.dataDir), undefined);
  assert.equal(isAlive(fresh), false);
});

test('SIGTERM the moment /readyz answers (start-up not finished) still stops PostgreSQL and exits 0', async () => {
  const previous = running();
  // startServer returns as soon as /readyz says 200: the server still has steps to go before its
  // banner. Node's default handler would kill it there and orphan the cluster.
  server = await startServer({ dataDir: previous.dataDir, port: previous.port, pgPort: previous.pgPort });
  const pg = await postmasterPid(server.dataDir);
  assert.ok(pg, 'postmaster running');
  assert.equal(await server.stop('SIGTERM'), 0, server.stderr());
  assert.ok(
    server.logs().some((l) => l.msg === 'stopped'),
    `a graceful shutdown, not a kill:\n${server.stdout().slice(-2000)}`,
  );
  assert.equal(await postmasterPid(server.dataDir), undefined);
  assert.equal(isAlive(pg), false);
});
