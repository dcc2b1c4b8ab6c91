import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { buildTestApp, testAudit } from '../support/app.ts';
import { csrfFrom, CookieJar } from '../support/cookies.ts';
import { startSmtpReceiver } from '../support/smtp.ts';
import { createOrganisation, productId } from '../support/subscriptions.ts';
import { Writable } from 'node:stream';
import { createEmptyDatabase } from '../support/db.ts';
import { createPool, loadMigrations, migrate } from '../../src/db/index.ts';
import { createContainer } from '../../src/app/container.ts';
import { createLogger } from '../../src/app/logger.ts';
import { systemClock } from '../../src/kernel/clock.ts';

// Issue 10 item 13: an invitation link is readable nowhere while it waits. The invitation is created
// without a token and its e-mail names only the invitation; the token is made when the e-mail is
// sent (or by "Create link", test/delivery/mail-page.test.ts), stored as a hash, and exists only in
// the message. Before, the link sat in the outbox payload (and on the Mail page) until delivered.

const { app, services, database, config } = await buildTestApp();
const { db } = database;
const receiver = await startSmtpReceiver();
const node = await productId(db, 'node');
const CLI = { type: 'cli', id: null, ip: null } as const;

/** Every row of every table of the schema, as text. */
async function everyRow(): Promise<string> {
  const tables = await sql<{
    name: string;
  }>`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`.execute(db);
  const rows: string[] = [];
  for (const { name } of tables.rows)
    rows.push(...(await sql<{ row: string }>`SELECT row_to_json(t)::text AS row FROM ${sql.table(name)} t`.execute(db)).rows.map((r) => r.row));
  return rows.join('\n');
}

async function invite(email: string): Promise<{ invitationId: string; messageId: string }> {
  const invited = await services.invitations.invite(
    { organisationId: await createOrganisation(db), firstName: 'Anna', lastName: 'Rossi', email, locale: 'en', productIds: [node] },
    CLI,
  );
  assert.ok(invited.ok);
  const message = await db.selectFrom('outbox').select('id').where('subject_id', '=', invited.value.id).executeTakeFirstOrThrow();
  return { invitationId: invited.value.id, messageId: message.id };
}

/** Runs the workers of a process with SMTP until `done` resolves. */
async function withWorkers<T>(done: () => Promise<T>): Promise<T> {
  const container = createContainer({
    config: { ...config, smtpUrl: receiver.url, smtpRequireTls: false },
    db,
    databaseUrl: database.url,
    logger: createLogger('warn', new Writable({ write: (_chunk, _enc, done) => done() })),
    clock: systemClock,
    audit: testAudit(),
  });
  const workers = container.workers();
  await workers.start();
  try {
    return await done();
  } finally {
    await workers.stop();
    await container.close();
  }
}

async function accept(token: string, password: string) {
  const jar = new CookieJar();
  const form = await app.inject({ url: `/portal/invitation?token=${token}` });
  jar.store(form);
  return app.inject({
    method: 'POST',
    url: '/portal/invitation',
    headers: { cookie: jar.header() },
    payload: { token, password, passwordConfirm: password, _csrf: csrfFrom(form.body) },
  });
}

test('while the e-mail waits no table holds a link or a token; the delivered link works once', async () => {
  const { invitationId, messageId } = await invite('anna@ente.test');
  const pending = await everyRow();
  assert.ok(pending.includes(invitationId), 'the scan sees the invitation');
  assert.doesNotMatch(pending, /invitation\?token=/);
  assert.equal((await db.selectFrom('invitations').select('token_hash').where('id', '=', invitationId).executeTakeFirstOrThrow()).token_hash, null);

  const [mail] = await withWorkers(() => receiver.waitFor(1, (m) => m.varcoId === messageId));
  const link = /https:\/\/\S+\/portal\/invitation\?token=([A-Za-z0-9_-]{43})/.exec(mail?.text ?? '');
  assert.ok(link?.[1], mail?.text);
  const token = link[1];
  assert.ok(mail?.html.includes(`href="${link[0]}"`));
  const after = await everyRow();
  assert.ok(!after.includes(token), 'the token is only in the e-mail');
  const stored = await db.selectFrom('invitations').select('token_hash').where('id', '=', invitationId).executeTakeFirstOrThrow();
  assert.equal(stored.token_hash, createHash('sha256').update(token).digest('hex'));

  assert.equal((await accept(token, 'Anna-chooses-a-long-one')).statusCode, 303);
  assert.equal((await app.inject({ url: `/portal/invitation?token=${token}` })).statusCode, 410, 'used once');
});

test('an invitation accepted (or replaced) before its e-mail leaves is not sent: the message is given up with the reason', async () => {
  const { invitationId, messageId } = await invite('bruno@ente.test');
  const minted = await services.invitations.mintLink(invitationId, CLI);
  assert.ok(minted.ok);
  assert.equal((await accept(new URL(minted.value.link).searchParams.get('token') ?? '', 'Bruno-chooses-a-long-one')).statusCode, 303);
  const replaced = await invite('carla@ente.test');
  assert.ok((await services.invitations.resend(replaced.invitationId, CLI)).ok);

  const [fresh] = await withWorkers(async () => {
    const rows = async () => db.selectFrom('outbox').select(['id', 'state', 'last_error']).where('id', 'in', [messageId, replaced.messageId]).execute();
    for (let i = 0; i < 100 && (await rows()).some((r) => r.state === 'pending'); i++) await new Promise((done) => setTimeout(done, 50));
    return receiver.waitFor(1, (m) => m.envelopeTo.includes('carla@ente.test'));
  });
  const rows = new Map(
    (await db.selectFrom('outbox').select(['id', 'state', 'last_error']).where('id', 'in', [messageId, replaced.messageId]).execute()).map((r) => [r.id, r]),
  );
  assert.equal(rows.get(messageId)?.state, 'dead');
  assert.match(rows.get(messageId)?.last_error ?? '', /was accepted before this e-mail was sent: nothing to send/);
  assert.equal(rows.get(replaced.messageId)?.state, 'dead');
  assert.match(rows.get(replaced.messageId)?.last_error ?? '', /is superseded: not sent/);
  assert.ok(!receiver.messages.some((m) => m.envelopeTo.includes('bruno@ente.test')));
  // The re-sent invitation's own e-mail went out, with a working link.
  const token = /invitation\?token=([A-Za-z0-9_-]{43})/.exec(fresh?.text ?? '')?.[1] ?? '';
  assert.equal((await app.inject({ url: `/portal/invitation?token=${token}` })).statusCode, 200);
});

test('the upgrade takes the links out of invitation e-mails already queued or sent, and names the invitation instead', async () => {
  const { url } = await createEmptyDatabase();
  const pool = createPool(url, 2);
  try {
    const upgrade = (await loadMigrations()).findIndex((m) => m.sql.includes('ALTER TABLE invitations ALTER COLUMN token_hash DROP NOT NULL'));
    assert.ok(upgrade > 0);
    await migrate(pool, { target: upgrade });
    await pool.query(
      `INSERT INTO organisations (id, name, tax_code, tax_code_kind, type, contact_email) VALUES ('org_1', 'Ente', 'X1', 'other', 'psp', 'a@b.test')`,
    );
    await pool.query(`INSERT INTO invitations (id, token_hash, organisation_id, email, first_name, last_name, product_ids, expires_at)
      VALUES ('inv_1', 'old-hash', 'org_1', 'anna@ente.test', 'Anna', 'Rossi', '{}', now() + interval '1 day')`);
    const payload = {
      to: 'anna@ente.test',
      template: 'invitation',
      locale: 'en',
      params: { firstName: 'Anna', organisationName: 'Ente', link: 'https://varco.test/portal/invitation?token=SECRET', expiresAt: '2026-11-25T10:00:00Z' },
    };
    await pool.query(`INSERT INTO outbox (id, channel, payload, subject_type, subject_id) VALUES ('msg_1', 'email', $1, 'invitation', 'inv_1')`, [
      JSON.stringify(payload),
    ]);
    await migrate(pool);
    const row = await pool.query<{ payload: { params: Record<string, string> } }>(`SELECT payload FROM outbox WHERE id = 'msg_1'`);
    assert.deepEqual(row.rows[0]?.payload.params, { firstName: 'Anna', organisationName: 'Ente', invitationId: 'inv_1', expiresAt: '2026-11-25T10:00:00Z' });
    const invitation = await pool.query<{ token_hash: string }>(`SELECT token_hash FROM invitations WHERE id = 'inv_1'`);
    assert.equal(invitation.rows[0]?.token_hash, 'old-hash', 'a link already handed out keeps working');
  } finally {
    await pool.end();
  }
});

test('a link replaced by "Create link" while its acceptance hashes the password is refused; the new link then works', async () => {
  const { invitationId } = await invite('dario@ente.test');
  const first = await services.invitations.mintLink(invitationId, CLI);
  assert.ok(first.ok);
  const oldToken = new URL(first.value.link).searchParams.get('token') ?? '';
  // The acceptance checks the link, then hashes the password (argon2id, tens of milliseconds): the new link is made meanwhile.
  const accepting = services.invitations.accept(oldToken, 'Dario-chooses-a-long-one', 'Dario-chooses-a-long-one', null);
  const second = await services.invitations.mintLink(invitationId, CLI);
  assert.ok(second.ok);
  const outcome = await accepting;
  assert.deepEqual(outcome, { ok: false, reason: 'unknown' }, 'the replaced link no longer names the invitation');
  const row = await db.selectFrom('invitations').select(['accepted_at', 'user_id']).where('id', '=', invitationId).executeTakeFirstOrThrow();
  assert.deepEqual(row, { accepted_at: null, user_id: null });
  const newToken = new URL(second.value.link).searchParams.get('token') ?? '';
  const accepted = await services.invitations.accept(newToken, 'Dario-chooses-a-long-one', 'Dario-chooses-a-long-one', null);
  assert.ok(accepted.ok, JSON.stringify(accepted));
});
