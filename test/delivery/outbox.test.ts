import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createTestDatabase } from '../support/db.ts';
import { enqueueEmail, enqueueEmailToAdmins, MAIL_TEMPLATE_PARAMS, OUTBOX_CHANNEL, type EmailInput } from '../../src/modules/delivery/index.ts';
import { newId } from '../../src/kernel/ids.ts';

// Enqueueing: the outbox row is part of the caller's transaction (all or nothing), it is validated
// at once, and workers are notified only when it commits.

const database = await createTestDatabase();
const { db } = database;

const invitation = (to = 'anna@bank.test'): EmailInput => ({
  to,
  template: 'invitation',
  locale: 'it',
  params: { firstName: 'Anna', organisationName: 'Banca Uno', invitationId: 'inv_y', expiresAt: '2026-11-25T10:00:00.000Z' },
});

const count = async (): Promise<number> =>
  Number(
    (
      await db
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

test('an e-mail enqueued in a transaction that rolls back leaves nothing behind', async () => {
  const before = await count();
  await assert.rejects(
    db.transaction().execute(async (trx) => {
      const id = await enqueueEmail(trx, invitation());
      assert.match(id, /^msg_/);
      // Visible inside the transaction…
      assert.ok(await trx.selectFrom('outbox').select('id').where('id', '=', id).executeTakeFirst());
      throw new Error('the change failed');
    }),
    /the change failed/,
  );
  // …and gone with it.
  assert.equal(await count(), before);
});

test('a committed e-mail is a pending outbox row carrying the template, locale and parameters', async () => {
  const id = await db
    .transaction()
    .execute((trx) => enqueueEmail(trx, { ...invitation(), organisationId: 'org_x', subjectType: 'invitation', subjectId: 'inv_y' }));
  const row = await db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  assert.equal(row.channel, 'email');
  assert.equal(row.state, 'pending');
  assert.equal(row.attempts, 0);
  assert.equal(row.lease_owner, null);
  assert.deepEqual([row.organisation_id, row.subject_type, row.subject_id], ['org_x', 'invitation', 'inv_y']);
  assert.deepEqual(row.payload, { to: 'anna@bank.test', template: 'invitation', locale: 'it', params: invitation().params });
});

test('a parameter cut inside a character (half of an emoji) is queued with the half replaced, not refused by jsonb', async () => {
  const cut = `${'x'.repeat(9)}😀`.slice(0, 10);
  assert.equal(cut.isWellFormed(), false);
  const id = await db.transaction().execute((trx) => enqueueEmail(trx, { ...invitation(), params: { ...invitation().params, firstName: cut } }));
  const row = await db.selectFrom('outbox').select('payload').where('id', '=', id).executeTakeFirstOrThrow();
  assert.ok(JSON.stringify(row.payload).includes(`${'x'.repeat(9)}\uFFFD`), JSON.stringify(row.payload));
});

test('enqueueing outside a transaction is refused: the e-mail would not be atomic with its cause', async () => {
  await assert.rejects(enqueueEmail(db, invitation()), /inside the transaction/);
  await assert.rejects(enqueueEmailToAdmins(db, { template: 'subscription_submitted', params: {} }), /inside the transaction/);
});

test('a missing template parameter, an unknown template or a bad recipient is a programming error at enqueue time', async () => {
  const attempt = (input: EmailInput) => db.transaction().execute((trx) => enqueueEmail(trx, input));
  const { invitationId: _id, ...withoutId } = invitation().params;
  await assert.rejects(attempt({ ...invitation(), params: withoutId }), /needs the parameter "invitationId"/);
  await assert.rejects(attempt({ ...invitation(), template: 'nope' as EmailInput['template'] }), /Unknown mail template/);
  await assert.rejects(attempt({ ...invitation(), locale: 'fr' as EmailInput['locale'] }), /Unknown mail locale/);
  for (const to of ['not-an-address', 'a@b.test\r\nBcc: x@y.test', 'a@b.test, c@d.test', '']) {
    await assert.rejects(attempt(invitation(to)), /recipient/, JSON.stringify(to));
  }
  const rejected = {
    ...invitation(),
    template: 'subscription_rejected' as const,
    params: { firstName: 'A', organisationName: 'B', productName: 'C', environment: 'test', subscriptionName: 'D', link: 'https://x.test' },
  };
  await assert.rejects(attempt(rejected), /needs the parameter "comment"/);
  assert.deepEqual(MAIL_TEMPLATE_PARAMS.subscription_rejected.at(-1), 'comment');
});

test("only the template's own parameters are stored: an invitation's link never is", async () => {
  const link = 'https://varco.test/portal/invitation?token=abc';
  const id = await db
    .transaction()
    .execute((trx) => enqueueEmail(trx, { ...invitation(), params: { ...invitation().params, password: 'hunter2hunter2', link } }));
  const row = await db.selectFrom('outbox').select('payload').where('id', '=', id).executeTakeFirstOrThrow();
  assert.deepEqual(Object.keys((row.payload as { params: object }).params).sort(), ['expiresAt', 'firstName', 'invitationId', 'organisationName']);
  assert.ok(!JSON.stringify(row.payload).includes('token=abc'));
});

test("notices to administrators: one e-mail per enabled administrator, each in that administrator's locale", async () => {
  const admins = [
    { id: newId('usr'), kind: 'admin' as const, email: 'uno@varco.test', locale: 'it' as const, disabled_at: null },
    { id: newId('usr'), kind: 'admin' as const, email: 'two@varco.test', locale: 'en' as const, disabled_at: null },
    { id: newId('usr'), kind: 'admin' as const, email: 'gone@varco.test', locale: 'en' as const, disabled_at: new Date() },
  ];
  for (const a of admins)
    await db
      .insertInto('users')
      .values({ ...a, password_hash: null, first_name: null, last_name: null })
      .execute();
  const params = {
    organisationName: 'Banca Uno',
    productName: 'Node connection',
    environment: 'test',
    subscriptionName: 'main',
    link: 'https://varco.test/admin/subscriptions/sub_1',
  };
  const ids = await db
    .transaction()
    .execute((trx) => enqueueEmailToAdmins(trx, { template: 'subscription_submitted', params, subjectType: 'subscription', subjectId: 'sub_1' }));
  assert.equal(ids.length, 2);
  const rows = await db.selectFrom('outbox').select(['id', 'payload', 'subject_id']).where('id', 'in', ids).execute();
  const byRecipient = new Map(rows.map((r) => [(r.payload as { to: string }).to, r]));
  assert.deepEqual([...byRecipient.keys()].sort(), ['two@varco.test', 'uno@varco.test']);
  assert.equal((byRecipient.get('uno@varco.test')!.payload as { locale: string }).locale, 'it');
  assert.equal((byRecipient.get('two@varco.test')!.payload as { locale: string }).locale, 'en');
  assert.ok(rows.every((r) => r.subject_id === 'sub_1'));
});

test('workers are notified on varco_outbox when the transaction commits, never for a rollback', async () => {
  const listener = new pg.Client({ connectionString: database.url });
  await listener.connect();
  const received: string[] = [];
  listener.on('notification', (n) => received.push(`${n.channel}:${n.payload ?? ''}`));
  await listener.query(`LISTEN ${OUTBOX_CHANNEL}`);
  try {
    const settle = () => new Promise((done) => setTimeout(done, 200));
    await db.transaction().execute(async (trx) => {
      await enqueueEmail(trx, invitation());
      await settle();
      assert.deepEqual(received, [], 'notified before commit');
    });
    await settle();
    assert.deepEqual(received, ['varco_outbox:email']);
    await db
      .transaction()
      .execute(async (trx) => {
        await enqueueEmail(trx, invitation());
        throw new Error('rollback');
      })
      .catch(() => undefined);
    await settle();
    assert.deepEqual(received, ['varco_outbox:email']);
  } finally {
    await listener.end();
  }
});
