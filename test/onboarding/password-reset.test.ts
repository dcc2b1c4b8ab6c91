// Password reset by e-mail and the return to the page after sign-in (issue 14, safe actions). Real
// app, real PostgreSQL, the container's workers sending through a real SMTP receiver.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { sql } from 'kysely';
import { RESETS_PER_IP_PER_HOUR, RESETS_PER_PERSON_PER_HOUR } from '../../src/modules/identity/index.ts';
import { buildTestApp, testContainer } from '../support/app.ts';
import { csrfFrom } from '../support/cookies.ts';
import { startSmtpReceiver, type ReceivedMail } from '../support/smtp.ts';
import { Browser, createAdmin, createOrganisation, createReferent, PASSWORD } from '../support/subscriptions.ts';

const smtp = await startSmtpReceiver();
const t = await buildTestApp();
const { app } = t;
const db = t.database.db;
const workers = testContainer(t, { config: { ...t.config, smtpUrl: smtp.url, smtpRequireTls: false } }).workers();
await workers.start();
after(() => workers.stop());

const NEW_PASSWORD = 'copper-lantern-meadow-77';

/** Waits until the worker has carried out every password reset request recorded so far. */
async function requestsFulfilled(): Promise<void> {
  for (let tries = 0; tries < 200; tries++) {
    const open = await db.selectFrom('outbox').select('id').where('channel', '=', 'reset').where('state', '!=', 'delivered').executeTakeFirst();
    if (!open) return;
    await new Promise((done) => setTimeout(done, 50));
  }
  assert.fail('password reset requests still waiting for the worker');
}

/** How many rows each table of the test's database holds. */
async function rowCounts(): Promise<Map<string, number>> {
  const tables = await sql<{ name: string }>`
    SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`.execute(db);
  const counts = new Map<string, number>();
  for (const { name } of tables.rows) {
    const [row] = (await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(name)}`.execute(db)).rows;
    counts.set(name, Number(row?.n));
  }
  return counts;
}

/** The tables whose row count changed from `before` to `after`, and by how much. */
const grown = (before: Map<string, number>, after: Map<string, number>): Record<string, number> =>
  Object.fromEntries([...after].filter(([name, n]) => n !== (before.get(name) ?? 0)).map(([name, n]) => [name, n - (before.get(name) ?? 0)]));

/** Asks for a link as an anonymous browser (from `ip`), returning the page's answer. */
async function askLink(surface: 'admin' | 'portal', email: string, ip = '127.0.0.1') {
  const browser = new Browser(app, surface);
  const form = await browser.get(`/${surface}/password-reset`);
  assert.equal(form.statusCode, 200);
  browser.csrf = csrfFrom(form.body);
  const res = await app.inject({
    method: 'POST',
    url: `/${surface}/password-reset`,
    remoteAddress: ip,
    headers: { cookie: browser.jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: browser.csrf, email }).toString(),
  });
  return res;
}

const linkIn = (mail: ReceivedMail): string => {
  const match = /https?:\/\/[^\s"<]+\/password-reset\/new\?token=[A-Za-z0-9_-]+/.exec(mail.text);
  assert.ok(match, `no reset link in: ${mail.text}`);
  return new URL(match[0]).pathname + new URL(match[0]).search;
};

async function choose(surface: 'admin' | 'portal', path: string, password: string, confirm = password) {
  const browser = new Browser(app, surface);
  const form = await browser.get(path);
  if (form.statusCode !== 200) return form;
  browser.csrf = csrfFrom(form.body);
  const token = new URLSearchParams(path.split('?')[1]).get('token') ?? '';
  return browser.post(`/${surface}/password-reset/new`, { token, password, confirm });
}

test('a referent resets a forgotten password from the e-mailed link, in their language; the link works once and ends every session', async () => {
  const org = await createOrganisation(db);
  const rita = await createReferent(db, org, ['ecommerce'], 'it');
  const signedIn = await new Browser(app, 'portal').signIn(rita.email);

  const signInPage = await new Browser(app, 'portal').get('/portal/sign-in');
  assert.match(signInPage.body, /href="\/portal\/password-reset"/, 'the sign-in page offers the reset');
  const asked = await askLink('portal', rita.email.toUpperCase());
  assert.equal(asked.statusCode, 200);
  const [mail] = await smtp.waitFor(1, (m) => m.envelopeTo.includes(rita.email));
  assert.ok(mail);
  assert.equal(mail.subject, 'Reimposta la password di Varco');
  const link = linkIn(mail);
  assert.ok(link.startsWith('/portal/password-reset/new?token='));

  // The outbox, the audit log and the logs never hold the usable link.
  const token = new URLSearchParams(link.split('?')[1]).get('token') ?? '';
  const stored = JSON.stringify([
    await db.selectFrom('outbox').selectAll().execute(),
    await db.selectFrom('audit_log').selectAll().execute(),
    await db.selectFrom('password_resets').selectAll().execute(),
  ]);
  assert.equal(stored.includes(token), false, 'the token is stored only as a hash');

  const weak = await choose('portal', link, 'short');
  assert.equal(weak.statusCode, 400, 'the password rules apply');
  const mismatch = await choose('portal', link, NEW_PASSWORD, `${NEW_PASSWORD}x`);
  assert.equal(mismatch.statusCode, 400);
  const done = await choose('portal', link, NEW_PASSWORD);
  assert.equal(done.statusCode, 303, done.body);
  assert.equal(done.headers.location, '/portal/sign-in?reset=1');
  assert.equal(JSON.stringify(t.logs).includes(token), false, 'the token is not in the logs');

  const reused = await choose('portal', link, 'another-long-password-99');
  assert.equal(reused.statusCode, 410, 'a link works once');
  assert.equal((await signedIn.get('/portal')).statusCode, 303, 'the old session ended');
  const old = await app.inject({
    method: 'POST',
    url: '/portal/sign-in',
    headers: { cookie: signedIn.jar.header() },
    payload: { email: rita.email, password: PASSWORD, _csrf: csrfFrom((await signedIn.get('/portal/sign-in')).body) },
  });
  assert.equal(old.statusCode, 401, 'the old password no longer works');
  await new Browser(app, 'portal').signIn(rita.email, NEW_PASSWORD);

  const actions = await db.selectFrom('audit_log').select('action').where('subject_id', '=', rita.id).execute();
  assert.ok(actions.some((a) => a.action === 'password.reset_requested'));
  assert.ok(actions.some((a) => a.action === 'password.reset'));
});

test('the answer does not tell whether an account exists; a referent cannot use the back office reset; only the newest link works', async () => {
  const org = await createOrganisation(db);
  const john = await createReferent(db, org, ['ecommerce'], 'en');
  const before = smtp.messages.length;
  const unknown = await askLink('portal', 'nobody@example.test');
  const wrongSurface = await askLink('admin', john.email);
  const known = await askLink('portal', john.email);
  assert.equal(unknown.statusCode, 200);
  const notice = (body: string) => /<p class="notice"[^>]*>([^<]+)</.exec(body)?.[1];
  assert.equal(notice(unknown.body), notice(known.body), 'the same words for an unknown address');
  assert.equal(notice(wrongSurface.body), notice(known.body));
  assert.match(
    notice(known.body) ?? '',
    /If nothing arrives within a few minutes, ask a Varco administrator/,
    'a way on when no mail comes (no SMTP, a spam filter)',
  );
  const [first] = await smtp.waitFor(1, (m) => m.envelopeTo.includes(john.email));
  assert.ok(first);
  assert.equal(first.subject, 'Reset your Varco password');
  await askLink('portal', john.email);
  const mails = await smtp.waitFor(2, (m) => m.envelopeTo.includes(john.email));
  await new Promise((done) => setTimeout(done, 500));
  assert.equal(smtp.messages.length - before, 2, 'no e-mail for the unknown address nor for the wrong surface');
  assert.equal((await choose('portal', linkIn(first), NEW_PASSWORD)).statusCode, 410, 'a newer request ends the older link');
  assert.equal((await choose('portal', linkIn(mails[1]!), NEW_PASSWORD)).statusCode, 303);
  // The back office's reset does not take a portal link.
  assert.equal((await choose('admin', linkIn(mails[1]!).replace('/portal/', '/admin/'), NEW_PASSWORD)).statusCode, 410);
});

test('a request does the same work for an address with an account and one without: it is recorded; the worker looks the account up and sends the e-mail, also after a stop', async () => {
  // The answer's time told which addresses have accounts while the request made the row, the e-mail and
  // the audit entry for an account, and nothing for other addresses (account enumeration).
  const org = await createOrganisation(db);
  const known = await createReferent(db, org, ['ecommerce'], 'en');
  // No worker: what stays in the database is what the page's request wrote (as after a crash following the answer).
  await workers.stop();
  const before = smtp.messages.length;
  try {
    const wrote = async (email: string, ip: string) => {
      const counted = await rowCounts();
      assert.equal((await askLink('portal', email, ip)).statusCode, 200);
      return grown(counted, await rowCounts());
    };
    const forKnown = await wrote(known.email, '198.51.100.41');
    const forUnknown = await wrote('nobody-here@example.test', '198.51.100.42');
    assert.deepEqual(forKnown, forUnknown, 'the same rows written for either address');
    assert.deepEqual(forKnown, { outbox: 1, signin_throttle: 1 }, "the address's slot and the recorded request, nothing of the account");
    const recorded = await db.selectFrom('outbox').select(['channel', 'payload', 'subject_type']).orderBy('id', 'desc').limit(2).execute();
    assert.deepEqual(
      recorded.map((r) => [r.channel, r.subject_type, Object.keys(r.payload as object).sort()]),
      [
        ['reset', 'password_reset', ['email', 'id', 'ip', 'surface']],
        ['reset', 'password_reset', ['email', 'id', 'ip', 'surface']],
      ],
    );
    assert.equal((await db.selectFrom('password_resets').select('id').where('user_id', '=', known.id).execute()).length, 0, 'no request row yet');
  } finally {
    await workers.start();
  }

  // The worker, started again, carries both out: the e-mail goes out for the account, nothing for the other.
  const [mail] = await smtp.waitFor(1, (m) => m.envelopeTo.includes(known.email));
  assert.ok(mail);
  await requestsFulfilled();
  await new Promise((done) => setTimeout(done, 300));
  assert.equal(smtp.messages.length - before, 1, 'one e-mail, to the account');
  assert.equal((await choose('portal', linkIn(mail), NEW_PASSWORD)).statusCode, 303, 'its link works');
});

test('an address cut at its limit inside a character (half of an emoji) is recorded, never a 500', async () => {
  // The form keeps the first 254 UTF-16 units: an emoji across the cut left half of it, which JSON
  // writes as a lone \ud83d escape that PostgreSQL's jsonb refuses (the page answered 500).
  const asked = await askLink('portal', `${'a'.repeat(253)}\u{1F600}@example.test`, '198.51.100.77');
  assert.equal(asked.statusCode, 200, asked.body);
  await requestsFulfilled();
});

test('rate limits: a person gets at most three links an hour, an address may ask ten times', async () => {
  const org = await createOrganisation(db);
  const ann = await createReferent(db, org, ['ecommerce'], 'en');
  for (let i = 0; i < RESETS_PER_PERSON_PER_HOUR + 2; i++) assert.equal((await askLink('portal', ann.email, '198.51.100.7')).statusCode, 200);
  await requestsFulfilled();
  const requests = await db.selectFrom('password_resets').select(['superseded_at']).where('user_id', '=', ann.id).execute();
  assert.equal(requests.length, RESETS_PER_PERSON_PER_HOUR, 'requests past the limit make no link');
  assert.equal(requests.filter((r) => r.superseded_at === null).length, 1, 'only the newest one is open');
  // The newest link is sent; an older one still queued when a newer request came is not (it could not work).
  await smtp.waitFor(1, (m) => m.envelopeTo.includes(ann.email));
  await new Promise((done) => setTimeout(done, 500));
  const sent = smtp.messages.filter((m) => m.envelopeTo.includes(ann.email)).length;
  assert.ok(sent >= 1 && sent <= RESETS_PER_PERSON_PER_HOUR, `${sent} e-mails`);

  const ip = '198.51.100.9';
  for (let i = 0; i < RESETS_PER_IP_PER_HOUR; i++) {
    const someone = await createReferent(db, org, ['ecommerce'], 'en');
    assert.equal((await askLink('portal', someone.email, ip)).statusCode, 200);
  }
  const refused = await askLink('portal', ann.email, ip);
  assert.equal(refused.statusCode, 429);
  assert.ok(Number(refused.headers['retry-after']) > 0);
});

test('the address limit counts every request, whatever address it names: its 429 does not tell which addresses have accounts', async () => {
  // Before, only requests naming an existing account counted, so a 429 after one request for a
  // candidate address told that it had an account (docs/security.md 29).
  const org = await createOrganisation(db);
  const known = await createReferent(db, org, ['ecommerce'], 'en');
  const eleventhAfter = async (candidate: string, ip: string): Promise<number> => {
    for (let i = 0; i < RESETS_PER_IP_PER_HOUR - 1; i++) assert.equal((await askLink('portal', `nobody-${i}@bank.example`, ip)).statusCode, 200);
    assert.equal((await askLink('portal', candidate, ip)).statusCode, 200, 'the tenth request');
    return (await askLink('portal', 'whoever@nowhere.example', ip)).statusCode;
  };
  assert.equal(await eleventhAfter(known.email, '198.51.100.31'), 429, 'ten requests, the last naming an account');
  assert.equal(await eleventhAfter('no-account@bank.example', '198.51.100.32'), 429, 'ten requests naming no account');
  // Ten requests for unknown addresses on the back office form use up the address's hour too.
  for (let i = 0; i < RESETS_PER_IP_PER_HOUR; i++) assert.equal((await askLink('admin', `ghost-${i}@bank.example`, '198.51.100.33')).statusCode, 200);
  const refused = await askLink('admin', 'ghost-last@bank.example', '198.51.100.33');
  assert.equal(refused.statusCode, 429);
  const retryAfter = Number(refused.headers['retry-after']);
  assert.ok(retryAfter > 3500 && retryAfter <= 3600, `Retry-After ${retryAfter}`);
});

test('a password reset frees an account locked by failed sign-ins: the person signs in at once with the new password', async () => {
  const org = await createOrganisation(db);
  const locked = await createReferent(db, org, ['ecommerce']);
  const attempt = async (password: string) => {
    const browser = new Browser(app, 'portal');
    const form = await browser.get('/portal/sign-in');
    return app.inject({
      method: 'POST',
      url: '/portal/sign-in',
      headers: { cookie: browser.jar.header() },
      payload: { email: locked.email, password, _csrf: csrfFrom(form.body) },
    });
  };
  for (let i = 0; i < t.config.signInMaxFailures; i++) assert.notEqual((await attempt('not-the-password-at-all')).statusCode, 303);
  assert.equal((await attempt(PASSWORD)).statusCode, 429, 'locked: even the right password waits');
  await askLink('portal', locked.email);
  const [mail] = await smtp.waitFor(1, (m) => m.envelopeTo.includes(locked.email));
  assert.ok(mail);
  assert.equal((await choose('portal', linkIn(mail), NEW_PASSWORD)).statusCode, 303);
  assert.equal((await attempt(NEW_PASSWORD)).statusCode, 303, 'the reset proved the mailbox: the lock is lifted');
});

test('an administrator resets too; an expired link says so and offers a new one', async () => {
  const admin = await createAdmin(t.services);
  await askLink('admin', admin.email);
  const [mail] = await smtp.waitFor(1, (m) => m.envelopeTo.includes(admin.email));
  assert.ok(mail);
  await db
    .updateTable('password_resets')
    .set({ expires_at: new Date(Date.now() - 1000) })
    .execute();
  const expired = await new Browser(app, 'admin').get(linkIn(mail));
  assert.equal(expired.statusCode, 410);
  assert.match(expired.body, /href="\/admin\/password-reset"/);
  assert.equal((await new Browser(app, 'admin').get('/admin/password-reset/new?token=not-a-token')).statusCode, 410);
});

test('after sign-in, the person lands on the page they were sent to; never on another site', async () => {
  const org = await createOrganisation(db);
  const referent = await createReferent(db, org, ['ecommerce'], 'en');
  const browser = new Browser(app, 'portal');
  const sent = await browser.get('/portal/subscriptions?tab=test');
  assert.equal(sent.statusCode, 303);
  assert.equal(sent.headers.location, `/portal/sign-in?next=${encodeURIComponent('/portal/subscriptions?tab=test')}`);
  const form = await browser.get(String(sent.headers.location));
  assert.match(form.body, /name="next" value="\/portal\/subscriptions\?tab=test"/);
  const signIn = (next: string) =>
    app.inject({
      method: 'POST',
      url: '/portal/sign-in',
      headers: { cookie: browser.jar.header() },
      payload: { email: referent.email, password: PASSWORD, _csrf: csrfFrom(form.body), next },
    });
  assert.equal((await signIn('/portal/subscriptions?tab=test')).headers.location, '/portal/subscriptions?tab=test');
  for (const evil of [
    'https://evil.example/',
    '//evil.example/portal',
    '/\\evil.example',
    '/portal/../admin',
    '/admin',
    '/portal/%2f%2fevil',
    '/portal/sign-in',
  ]) {
    assert.equal((await signIn(evil)).headers.location, '/portal', evil);
  }
});

test('a return path with a character past ASCII (a decoded ?next= or back=) is kept percent-encoded, never a 500; a control character returns home', async () => {
  const referent = await createReferent(db, await createOrganisation(db), ['node'], 'en');
  const euro = '/portal/subscriptions?q=€';
  const encoded = '/portal/subscriptions?q=%E2%82%AC';
  const browser = new Browser(app, 'portal');
  const form = await browser.get(`/portal/sign-in?next=${encodeURIComponent(euro)}`);
  const signIn = (next: string) =>
    app.inject({
      method: 'POST',
      url: '/portal/sign-in',
      headers: { cookie: browser.jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ email: referent.email, password: PASSWORD, _csrf: csrfFrom(form.body), next }).toString(),
    });
  const landed = await signIn(euro);
  assert.equal(landed.statusCode, 303, landed.body.slice(0, 300));
  assert.equal(landed.headers.location, encoded);
  const control = await signIn('/portal/subscriptions?q=\u0007');
  assert.equal(control.statusCode, 303, control.body.slice(0, 300));
  assert.equal(control.headers.location, '/portal');
  // Signed in already, the sign-in page sends the person on at once.
  const signedIn = await new Browser(app, 'portal').signIn(referent.email);
  const onward = await signedIn.get(`/portal/sign-in?next=${encodeURIComponent(euro)}`);
  assert.equal(onward.statusCode, 303, onward.body.slice(0, 300));
  assert.equal(onward.headers.location, encoded);
  // The language switch returns to such a page too.
  const switched = await signedIn.post('/portal/language', { locale: 'it', back: euro });
  assert.equal(switched.statusCode, 303, switched.body.slice(0, 300));
  assert.equal(switched.headers.location, encoded);
});
