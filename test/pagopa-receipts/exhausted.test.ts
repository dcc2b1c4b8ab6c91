import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countResendable } from '../../src/modules/delivery/index.ts';
import type { ReceiptDetail } from '../../src/modules/pagopa-receipts/index.ts';
import { buildTestApp, startTestWorkers } from '../support/app.ts';
import { startSmtpReceiver } from '../support/smtp.ts';
import { createAdmin, createOrganisation, createReferent } from '../support/subscriptions.ts';
import { ecWithStation, paidPayment, schedule, until } from './support.ts';

// Issue 11: a receipt whose deliveries are exhausted (here a schedule of about one second instead of
// 48 hours) is marked not delivered and its institution's referents are e-mailed once, each in their
// language, through the outbox and a real SMTP server; an institution Varco does not know has no
// referents, so administrators are told. A resend afterwards delivers it.

const receiver = await startSmtpReceiver();
const t = await buildTestApp();
const { services, database } = t;
const db = database.db;
const RETRY = { baseMs: 150, capMs: 300, giveUpAfterMs: 1000 };
await startTestWorkers(t, { config: { ...t.config, smtpUrl: receiver.url, smtpRequireTls: false, pagopaRtRetry: RETRY } });

const psp = await createOrganisation(db, 'Banca Pagatrice');
const ec = await ecWithStation(services, db, { version: 2, name: 'Comune Irraggiungibile' });
const rita = await createReferent(db, ec.id, ['node'], 'it');
const john = await createReferent(db, ec.id, ['node'], 'en');
const gone = await createReferent(db, ec.id, ['node']);
await db.updateTable('users').set({ disabled_at: new Date() }).where('id', '=', gone.id).execute();
const admin = await createAdmin(services);

async function failed(id: string): Promise<ReceiptDetail> {
  let last: ReceiptDetail | undefined;
  await until(
    async () => (last = await services.receipts.get({ admin: true }, id))?.state === 'failed',
    () => `${id} failed (now ${last?.state}, ${last?.attempts} attempts)`,
  );
  assert.ok(last);
  return last;
}

test('exhausted deliveries: the receipt is marked not delivered and each enabled referent is e-mailed once, in their language', async () => {
  ec.station.inject({ kind: 'http503' });
  const paid = paidPayment({ version: 2, fiscalCode: ec.fiscalCode, ecOrganisationId: ec.id, pspOrganisationId: psp });
  const [id] = await schedule(services, db, paid);
  const receipt = await failed(id ?? '');
  assert.ok(receipt.attempts >= 3, `${receipt.attempts} attempts`);
  assert.ok(receipt.attemptLog.every((a) => a.result === 'retry' && a.httpStatus === 503));
  // The handler marks the receipt failed in its own transaction; the worker records the outbox's verdict just after.
  const outboxState = async () =>
    (
      await db
        .selectFrom('outbox')
        .select('state')
        .where('channel', '=', 'soap')
        .where('subject_id', '=', id ?? '')
        .executeTakeFirstOrThrow()
    ).state;
  await until(async () => (await outboxState()) !== 'pending', 'the outbox recorded the last attempt');
  assert.equal(await outboxState(), 'exhausted', 'the outbox gave the message up too (retries ran out)');
  const mails = await receiver.waitFor(2, (m) => m.text.includes(paid.noticeNumber));
  const to = (email: string) => mails.find((m) => m.envelopeTo.includes(email));
  const [it, en] = [to(rita.email), to(john.email)];
  assert.ok(it && en, `mailed: ${mails.map((m) => m.envelopeTo.join()).join(' ')}`);
  assert.match(it.subject, new RegExp(`Ricevuta pagoPA non consegnata: avviso ${paid.noticeNumber} \\(collaudo\\)`));
  assert.match(en.subject, new RegExp(`pagoPA receipt not delivered: notice ${paid.noticeNumber} \\(test\\)`));
  for (const mail of [it, en]) {
    assert.ok(mail.text.includes(paid.token), 'names the receipt (receiptId)');
    assert.ok(mail.text.includes(ec.code), 'names the station');
    assert.match(mail.text, /HTTP 503/);
    assert.ok(mail.text.includes(`/portal/pagopa/receipts/${id ?? ''}`), 'links the receipt page');
  }
  // Once: no further mail for this receipt, none to the disabled referent.
  await new Promise((done) => setTimeout(done, 500));
  assert.equal(receiver.messages.filter((m) => m.text.includes(paid.noticeNumber)).length, 2);
  assert.ok(!receiver.messages.some((m) => m.envelopeTo.includes(gone.email)));

  ec.station.clearFaults();
  const resent = await services.receipts.resend({ organisationId: ec.id }, id ?? '', { type: 'referent', id: rita.id, ip: '192.0.2.1' });
  assert.deepEqual(resent, { ok: true, mode: 'queued' });
  await until(async () => (await services.receipts.get({ admin: true }, id ?? ''))?.state === 'delivered', 'delivered after the resend');
  const after = await services.receipts.get({ admin: true }, id ?? '');
  assert.equal(after?.attemptLog.at(-1)?.result, 'delivered');
  assert.notEqual(after?.attemptLog.at(-1)?.outboxMessageId, receipt.attemptLog[0]?.outboxMessageId, 'a new delivery, with its own schedule');
  // The given-up message is superseded: not in the back office's given-up queue, and "resend all" does not
  // send paSendRT of this delivered receipt again.
  const oldMessage = receipt.attemptLog[0]?.outboxMessageId ?? '';
  const superseded = await db.selectFrom('outbox').select(['state', 'superseded_by']).where('id', '=', oldMessage).executeTakeFirstOrThrow();
  assert.deepEqual(superseded, { state: 'exhausted', superseded_by: after?.attemptLog.at(-1)?.outboxMessageId });
  assert.equal(await countResendable(db, { state: 'exhausted', channel: 'soap' }), 0);
});

test('an institution Varco does not know (no organisation, no station): administrators are told instead', async () => {
  const stranger = '09876543217';
  const paid = paidPayment({ version: 1, fiscalCode: ec.fiscalCode, ecOrganisationId: ec.id, pspOrganisationId: psp, other: stranger });
  const [, id] = await schedule(services, db, paid);
  const receipt = await failed(id ?? '');
  assert.equal(receipt.recipientOrganisationId, null);
  assert.equal(receipt.attemptLog[0]?.faultCode, 'PPT_DOMINIO_SCONOSCIUTO');
  const [mail] = await receiver.waitFor(1, (m) => m.envelopeTo.includes(admin.email) && m.text.includes(paid.noticeNumber));
  assert.ok(mail, 'administrators are mailed');
  assert.ok(mail.text.includes(stranger));
  assert.ok(mail.text.includes(`/admin/pagopa/receipts/${id ?? ''}`));
});
