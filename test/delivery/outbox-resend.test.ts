// `varco outbox resend` (issue 17): after a receiver's outage, the messages given up get one more
// try at once. Real CLI dispatcher, real workers of the container, a real HTTPS receiver, real PostgreSQL.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { countResendable, enqueueHttpMessage, resendGivenUp, resendHttpMessage } from '../../src/modules/delivery/index.ts';
import { buildTestApp, testContainer } from '../support/app.ts';
import { runCliInProcess } from '../support/cli.ts';
import { createOrganisation } from '../support/subscriptions.ts';
import { makeCa, makeLeaf, startPeer } from '../support/tls-peers.ts';

const t = await buildTestApp();
const db = t.database.db;
const env = { DATABASE_URL: t.database.url, VARCO_DATABASE_OWNER_URL: t.database.ownerUrl, VARCO_MASTER_KEY: t.masterKey.toString('base64') };
const ca = await makeCa({ name: 'Resend CA' });
const leaf = await makeLeaf({ issuer: ca, commonName: 'localhost', altNames: ['localhost'] });
assert.ok((await t.services.trust.add('test', ca.certPem, { allOrganisations: true }, { type: 'admin', id: null, ip: null })).ok);
const peer = await startPeer({ leaf, requestCert: false, reply: () => ({ status: 200 }) });

const [shop, other] = [await createOrganisation(db), await createOrganisation(db)];

/** A feedback message of `organisationId` whose retries ran out (as the worker leaves it). */
async function givenUp(organisationId: string, state: 'exhausted' | 'dead' = 'exhausted'): Promise<string> {
  const id = await db.transaction().execute(
    async (trx) =>
      (
        await enqueueHttpMessage(trx, {
          env: 'test',
          method: 'POST',
          url: peer.url('/feedback'),
          body: 'orderID=r1',
          organisationId,
          subjectType: 'order',
          subjectId: 'ord_resend',
        })
      ).id,
  );
  await db
    .updateTable('outbox')
    .set({ state, attempts: 201, last_error: 'HTTP 503', next_attempt_at: new Date(Date.now() - 3_600_000) })
    .where('id', '=', id)
    .execute();
  return id;
}

const stateOf = async (id: string) => (await db.selectFrom('outbox').select(['state', 'attempts']).where('id', '=', id).executeTakeFirstOrThrow()).state;

test('bad options are refused with the reason, not a stack trace', async () => {
  for (const [args, reason] of [
    [['--state', 'pending'], /--state must be one of exhausted, dead/],
    [['--channel', 'fax'], /--channel must be one of email, http, soap/],
    [['--org', 'nobody'], /--org must be an organisation id/],
    [['--since', 'yesterday'], /--since must be an ISO 8601 date/],
  ] as const) {
    const result = await runCliInProcess(['outbox', 'resend', ...args], env);
    assert.notEqual(result.code, 0, args.join(' '));
    assert.match(result.stderr, reason);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  }
});

test('a stray word (dry-run without its --) is refused, naming it, and nothing is resent', async () => {
  const org = await createOrganisation(db);
  const id = await givenUp(org);
  const result = await runCliInProcess(['outbox', 'resend', '--org', org, 'dry-run'], env);
  assert.deepEqual([result.code, result.stdout], [64, '']);
  assert.match(result.stderr, /^varco outbox resend: unexpected argument 'dry-run' \(did you mean --dry-run\?\); nothing was done/);
  assert.equal(await stateOf(id), 'exhausted');
  // Out of the way of the runs below, which resend everything of their filters.
  await db.updateTable('outbox').set({ state: 'delivered' }).where('id', '=', id).execute();
});

test('resend narrows by organisation and state, counts first with --dry-run, audits, never resends twice, and the workers deliver', async () => {
  const mine = [await givenUp(shop), await givenUp(shop)];
  const dead = await givenUp(shop, 'dead');
  const theirs = await givenUp(other);

  const dry = await runCliInProcess(['outbox', 'resend', '--org', shop, '--json', '--dry-run'], env);
  assert.equal(dry.code, 0, dry.stderr);
  assert.deepEqual(JSON.parse(dry.stdout), { wouldResend: 2 });
  assert.equal(await stateOf(mine[0]!), 'exhausted', 'a dry run changes nothing');

  const run = await runCliInProcess(['outbox', 'resend', '--org', shop, '--channel', 'http', '--json'], env);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), { resent: 2 });
  assert.match(run.stderr, /^resend: 2 messages \(total 2, \d+ messages\/s\)$/m, 'a plain progress line when not on a terminal');
  for (const id of mine) assert.equal(await stateOf(id), 'pending');
  assert.equal(await stateOf(dead), 'dead', 'dead messages only with --state dead');
  assert.equal(await stateOf(theirs), 'exhausted', "another organisation's messages are not touched");

  const audit = await db.selectFrom('audit_log').select(['actor_type', 'organisation_id', 'details']).where('action', '=', 'outbox.resent').execute();
  assert.equal(audit.length, 1);
  assert.equal(audit[0]!.actor_type, 'cli');
  assert.equal(audit[0]!.organisation_id, shop);
  const details = audit[0]!.details as Record<string, unknown>;
  assert.equal(details.count, 2);
  assert.deepEqual(String(details.messageIds).split(',').sort(), [...mine].sort());

  const again = await runCliInProcess(['outbox', 'resend', '--org', shop, '--json'], env);
  assert.deepEqual(JSON.parse(again.stdout), { resent: 0 }, 'a second run finds nothing to resend');

  // As a worker process would, after the operator's command: the revived messages are due now.
  const workers = testContainer(t).workers();
  await workers.start();
  after(() => workers.stop());
  const deadline = Date.now() + 15_000;
  while ((await Promise.all(mine.map(stateOf))).some((s) => s !== 'delivered') && Date.now() < deadline) await new Promise((done) => setTimeout(done, 50));
  assert.deepEqual(await Promise.all(mine.map(stateOf)), ['delivered', 'delivered']);
  assert.equal(peer.requests.filter((r) => r.url === '/feedback').length, 2, 'each revived message delivered once');
  assert.equal(await stateOf(theirs), 'exhausted');
});

test('--state dead revives dead messages, --since leaves older ones alone', async () => {
  const old = await givenUp(shop, 'dead');
  await db
    .updateTable('outbox')
    .set({ created_at: new Date('2026-01-01T00:00:00Z') })
    .where('id', '=', old)
    .execute();
  const recent = await givenUp(shop, 'dead');
  const run = await runCliInProcess(['outbox', 'resend', '--state', 'dead', '--org', shop, '--since', '2026-06-01', '--json'], env);
  assert.equal(run.code, 0, run.stderr);
  assert.notEqual(await stateOf(recent), 'dead');
  assert.equal(await stateOf(old), 'dead');
});

test('one run revives each message once even when the receiver keeps failing (messages given up again during the run)', async () => {
  const org = await createOrganisation(db);
  const ids = [await givenUp(org), await givenUp(org), await givenUp(org)];
  const noAudit = { append: async () => undefined } as never;
  let revived = 0;
  const total = await resendGivenUp(
    db,
    noAudit,
    { state: 'exhausted', organisationId: org },
    { type: 'cli', id: null },
    {
      now: () => new Date(),
      batchSize: 2,
      onBatch: async (n) => {
        revived += n;
        if (revived > 10) throw new Error(`the run keeps going: ${revived} revivals for ${ids.length} messages`);
        // What the workers do with a receiver still down: the revived messages are given up again at once.
        await db.updateTable('outbox').set({ state: 'exhausted' }).where('organisation_id', '=', org).where('state', '=', 'pending').execute();
      },
    },
  );
  assert.equal(total, 3);
  assert.equal(revived, 3);
});

test('a message resent from the portal is superseded: no longer given up, and resend all leaves it alone', async () => {
  const org = await createOrganisation(db);
  const old = await givenUp(org);
  const again = await resendHttpMessage(db, old, { type: 'order', id: 'ord_resend' });
  assert.ok(again);
  const row = await db.selectFrom('outbox').select(['state', 'superseded_by']).where('id', '=', old).executeTakeFirstOrThrow();
  assert.deepEqual(row, { state: 'exhausted', superseded_by: again }, 'its history stays, naming its replacement');
  assert.equal(await countResendable(db, { state: 'exhausted', organisationId: org }), 0, 'not counted as given up');
  const noAudit = { append: async () => undefined } as never;
  assert.equal(await resendGivenUp(db, noAudit, { state: 'exhausted', organisationId: org }, { type: 'cli', id: null }, { now: () => new Date() }), 0);
  assert.equal(await stateOf(old), 'exhausted', 'its event goes once more only through its replacement');
});
