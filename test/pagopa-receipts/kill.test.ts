import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/app/logger.ts';
import { systemClock } from '../../src/kernel/clock.ts';
import { createOutboxWorker } from '../../src/modules/delivery/index.ts';
import { buildTestApp, testContainer } from '../support/app.ts';
import { TEST_OUTBOUND_ENV } from '../support/outbound.ts';
import { createOrganisation } from '../support/subscriptions.ts';
import { ecWithStation, paidPayment, schedule, until } from './support.ts';

// Issue 11, "kill -9 between outcome and receipt delivery": receipts committed by `schedule` (as the
// node does in the outcome's transaction) are delivered by a REAL worker process
// (`node src/main/worker.js`) over mutual TLS to the suite's EC station. The worker is killed with
// SIGKILL while deliveries are in flight, more receipts are committed while no worker runs, and a
// restarted worker delivers every one. Delivery is at least once (ADR 0021): a receipt whose request
// reached the station before the kill is sent again, at most once more per kill, with the same
// receiptId, and an idempotent EC answers PAA_RECEIPT_DUPLICATA, which Varco records as delivered.

const root = resolve(import.meta.dirname, '../..');
const t = await buildTestApp();
const { services, database } = t;
const db = database.db;
const children = new Set<ChildProcess>();
after(() => {
  for (const child of children) child.kill('SIGKILL');
});

const psp = await createOrganisation(db, 'Banca Pagatrice');
const ec = await ecWithStation(services, db, { version: 2, name: 'Comune Resistente', idempotentReceipts: true });

/** The production worker entry point, sharing the test app's database, data directory (Varco's client certificate) and master key. */
function startWorker(): { child: ChildProcess; output: () => string; exited: Promise<unknown> } {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VARCO_') && name !== 'DATABASE_URL'));
  const child = spawn(join(root, 'node_modules/.bin/node'), ['src/main/worker.js'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...inherited,
      ...TEST_OUTBOUND_ENV,
      DATABASE_URL: database.url,
      VARCO_DATA_DIR: t.config.dataDir,
      VARCO_MASTER_KEY: t.masterKey.toString('base64'),
      // A short lease so the killed worker's messages are due again soon; retries 1 s apart.
      VARCO_OUTBOX_LEASE_SECONDS: '5',
      VARCO_PAGOPA_RT_RETRY_FIRST_SECONDS: '1',
      VARCO_PAGOPA_RT_RETRY_MAX_SECONDS: '2',
      VARCO_LOG_LEVEL: 'warn',
    },
  });
  children.add(child);
  let out = '';
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString('utf8');
  });
  child.stderr?.on('data', (c: Buffer) => {
    out += c.toString('utf8');
  });
  const exited = new Promise((done) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      done({ code, signal });
    }),
  );
  return { child, output: () => out, exited };
}

const receiptIdsAtStation = (): string[] =>
  ec.station.calls('paSendRTV2').flatMap((c) => (c.call?.operation === 'paSendRTV2' ? [c.call.value.receipt.receiptId] : []));

async function scheduleMany(count: number): Promise<Array<{ id: string; token: string }>> {
  const made: Array<{ id: string; token: string }> = [];
  for (let n = 0; n < count; n++) {
    const paid = paidPayment({ version: 2, fiscalCode: ec.fiscalCode, ecOrganisationId: ec.id, pspOrganisationId: psp });
    const [id] = await schedule(services, db, paid);
    assert.ok(id);
    made.push({ id, token: paid.token });
  }
  return made;
}

test('kill -9 of the worker during receipt delivery: a restarted worker delivers every committed receipt, each receiptId taken once by the EC', async () => {
  const inFlight = await scheduleMany(4);
  // The station holds its answers so the worker is killed with the requests sent and unanswered.
  ec.station.inject({ kind: 'slow', delayMs: 30_000 });
  const first = startWorker();
  await until(
    () => receiptIdsAtStation().length >= 1,
    () => `a first delivery reaching the station\n${first.output()}`,
  );
  first.child.kill('SIGKILL');
  await first.exited;
  // Bytes the dead process had already written still reach the station: let them arrive.
  await new Promise((done) => setTimeout(done, 300));
  const sentBeforeKill = new Set(receiptIdsAtStation());
  assert.ok(sentBeforeKill.size >= 1, 'killed with deliveries in flight');
  ec.station.clearFaults();
  // Committed while no worker runs: delivered after the restart.
  const waiting = await scheduleMany(2);
  const all = [...inFlight, ...waiting];

  const second = startWorker();
  await until(
    async () => {
      const states = await db
        .selectFrom('pagopa_receipts')
        .select('state')
        .where(
          'id',
          'in',
          all.map((r) => r.id),
        )
        .execute();
      return states.length === all.length && states.every((s) => s.state === 'delivered');
    },
    () => `every receipt delivered after the restart\n${second.output()}`,
    40_000,
  );
  second.child.kill('SIGTERM');
  await second.exited;

  const seen = receiptIdsAtStation();
  assert.deepEqual(new Set(seen), new Set(all.map((r) => r.token)), 'every receiptId reached the EC, and nothing else');
  for (const { id, token } of all) {
    const deliveries = seen.filter((s) => s === token).length;
    const detail = await services.receipts.get({ admin: true }, id);
    assert.ok(detail);
    if (!sentBeforeKill.has(token)) {
      assert.equal(deliveries, 1, `${token}: not sent before the kill, so sent exactly once`);
      continue;
    }
    // Sent, never answered, worker gone: Varco cannot know the EC has it, so it sends again, once (the
    // documented bound: one extra delivery per kill), and the idempotent EC keeps one copy.
    assert.equal(deliveries, 2, `${token} delivered ${deliveries} times`);
    assert.deepEqual(
      detail.attemptLog.map((a) => [a.result, a.faultCode]),
      [['duplicate', 'PAA_RECEIPT_DUPLICATA']],
      'the killed attempt left no record; the redelivery found the EC holding the receipt',
    );
  }
  const accepted = ec.station.calls('paSendRTV2').filter((c) => c.outcome === 'OK' && c.status === 200);
  assert.equal(
    new Set(accepted.map((c) => (c.call?.operation === 'paSendRTV2' ? c.call.value.receipt.receiptId : ''))).size,
    accepted.length,
    'the EC accepted each receiptId once (a repeat is answered PAA_RECEIPT_DUPLICATA)',
  );
  const outbox = await db
    .selectFrom('outbox')
    .select(['state', 'lease_owner'])
    .where('channel', '=', 'soap')
    .where(
      'subject_id',
      'in',
      all.map((r) => r.id),
    )
    .execute();
  assert.ok(
    outbox.every((m) => m.state === 'delivered' && m.lease_owner === null),
    JSON.stringify(outbox),
  );
});

test('killed after the EC\u2019s OK was recorded with the receipt but before the outbox recorded it: the retry does not send again', async () => {
  const silent = createLogger('warn', new Writable({ write: (_chunk, _enc, done) => done() }));
  // The receipts handler of a worker process (its own container, closed after the file).
  const delivery = { handler: testContainer(t, { logger: silent }).deliveryHandlers().soap ?? assert.fail('no soap handler') };
  const [{ id, token } = { id: '', token: '' }] = await scheduleMany(1);
  const row = await db.selectFrom('outbox').selectAll().where('subject_id', '=', id).executeTakeFirstOrThrow();
  // The handler runs as a worker would, then "dies": its outcome never reaches the outbox row.
  const first = await delivery.handler({
    id: row.id,
    channel: row.channel,
    payload: row.payload,
    attempt: 1,
    createdAt: row.created_at,
    organisationId: row.organisation_id,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
  });
  assert.deepEqual(first, { ok: true, statusCode: 200 });
  assert.equal(receiptIdsAtStation().filter((r) => r === token).length, 1);
  const worker = createOutboxWorker({ db, clock: systemClock, logger: silent, workerId: 'after-crash', handlers: { soap: delivery.handler } });
  assert.equal(await worker.runOnce(), 1, 'the message was still due');
  assert.equal(receiptIdsAtStation().filter((r) => r === token).length, 1, 'not sent a second time');
  const message = await db.selectFrom('outbox').select('state').where('id', '=', row.id).executeTakeFirstOrThrow();
  assert.equal(message.state, 'delivered');
  assert.equal((await services.receipts.get({ admin: true }, id))?.state, 'delivered');
});
