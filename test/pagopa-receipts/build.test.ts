import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildReceiptV2,
  ReceiptBuildError,
  recipientsOf,
  sendRtRequest,
  snapshotOf,
  type PaidPayment,
  type ReceiptSnapshot,
} from '../../src/modules/pagopa-receipts/index.ts';
import { decodeEcRequest, type Receipt, type ReceiptV2 } from '../../src/protocols/pagopa/index.ts';
import { validateEnvelopes } from '../support/pagopa-xsd.ts';
import { paidPayment, PSP } from './support.ts';

// Issue 11, building receipts: for every combination of what the EC answered (paGetPayment V1 or
// V2), one or several institutions in the transfer list, and the version the destination station
// speaks, paSendRT / paSendRTV2 validates against the official XSD (libxml2) and carries the right
// values: receiptId = the token, the notice, the EC's amounts and transfers, the PSP, its fee, the
// payer and the dates of the outcome.

const A = '12345678903';
const B = '01234567897';
const header = (idPA: string) => ({ idPA, idBrokerPA: '15376371009', idStation: '15376371009_01' });
const base = { ecOrganisationId: 'org_ec', pspOrganisationId: 'org_psp' };

const cases: Array<{ name: string; paid: PaidPayment; version: 1 | 2 }> = [];
for (const payment of [1, 2] as const) {
  for (const other of [undefined, B]) {
    for (const version of [1, 2] as const) {
      // A stamp duty (V2 payments here) cannot travel in paSendRT: those are checked apart below.
      if (payment === 2 && version === 1) continue;
      cases.push({
        name: `payment V${payment}, ${other ? 'two institutions' : 'one institution'}, paSendRT${version === 2 ? 'V2' : ''}`,
        paid: paidPayment({ ...base, version: payment, fiscalCode: A, ...(other ? { other } : {}) }),
        version,
      });
    }
  }
}
cases.push({
  name: 'payment V1 minimal (no company name, one transfer), paSendRT',
  paid: paidPayment({ ...base, version: 1, fiscalCode: A, minimal: true }),
  version: 1,
});
cases.push({ name: 'payment V1 minimal, paSendRTV2', paid: paidPayment({ ...base, version: 1, fiscalCode: A, minimal: true }), version: 2 });
const noted = paidPayment({ ...base, version: 2, fiscalCode: A });
cases.push({
  name: 'payment V2 with the PSP\u2019s paymentNote, paSendRTV2',
  paid: { ...noted, payment: { ...noted.payment, paymentNote: 'Rata 2 di 3' } },
  version: 2,
});

function decoded(body: string): Receipt | ReceiptV2 {
  const read = decodeEcRequest(body, undefined);
  assert.ok(read.ok, read.ok ? '' : read.problem.description);
  assert.ok(read.operation === 'paSendRT' || read.operation === 'paSendRTV2');
  return read.value.receipt;
}

test('every receipt, each copy, validates against the official XSD (paSendRT and paSendRTV2)', async () => {
  const messages = cases.flatMap((c) =>
    recipientsOf(c.paid).map((to) => ({ name: `${c.name} → ${to}`, xml: sendRtRequest(snapshotOf(c.paid, 'Comune di Prova'), c.version, header(to)).body })),
  );
  assert.equal(messages.length, 12, 'one copy per institution of each case');
  const errors = await validateEnvelopes(messages);
  for (const [name, problems] of errors) assert.deepEqual(problems, [], name);
});

test('one receipt per institution of the transfer list, the notice\u2019s EC first, each once', () => {
  const paid = paidPayment({ ...base, version: 2, fiscalCode: A, other: B });
  assert.deepEqual(recipientsOf(paid), [A, B]);
  // The notice's EC gets its copy even with no transfer of its own.
  const onlyOthers = {
    ...paid,
    payment: {
      version: 2 as const,
      data: { ...paid.payment.data, transferList: { transfer: paid.payment.data.transferList.transfer.map((t) => ({ ...t, fiscalCodePA: B })) } },
    },
  };
  assert.deepEqual(recipientsOf(onlyOthers as PaidPayment), [A, B]);
});

test('values: receiptId is the token, amounts, fee, payer, PSP, dates and transfers come from the payment and the outcome', () => {
  for (const c of cases) {
    const p = c.paid.payment.data;
    for (const to of recipientsOf(c.paid)) {
      const body = sendRtRequest(snapshotOf(c.paid, 'Comune di Prova'), c.version, header(to)).body;
      assert.match(body, c.version === 1 ? /<pafn:paSendRTReq / : /<pafn:paSendRTV2Request /, c.name);
      const read = decodeEcRequest(body, undefined);
      assert.ok(read.ok && (read.operation === 'paSendRT' || read.operation === 'paSendRTV2'));
      assert.deepEqual([read.value.idPA, read.value.idBrokerPA, read.value.idStation], [to, '15376371009', '15376371009_01'], 'the header names the recipient');
      const r = read.value.receipt;
      assert.equal(r.receiptId, c.paid.token, c.name);
      assert.equal(r.fiscalCode, A, 'the notice\u2019s EC, in every copy');
      assert.deepEqual(
        [r.noticeNumber, r.outcome, r.creditorReferenceId, r.paymentAmount, r.description],
        [c.paid.noticeNumber, 'OK', p.creditorReferenceId, p.paymentAmount, p.description],
      );
      assert.equal(r.companyName, p.companyName ?? 'Comune di Prova', 'the EC\u2019s company name, or its name in Varco');
      assert.deepEqual(r.debtor, p.debtor);
      assert.deepEqual([r.idPSP, r.idChannel, r.PSPCompanyName], [PSP.idPSP, PSP.idChannel, PSP.companyName]);
      const d = c.paid.details;
      assert.ok(d);
      assert.deepEqual(
        [r.fee, r.paymentMethod, r.applicationDate, r.transferDate, r.channelDescription],
        [d.fee, d.paymentMethod, d.applicationDate, d.transferDate, d.paymentChannel],
      );
      assert.deepEqual(r.payer, d.payer);
      assert.equal(r.paymentDateTime, '2026-03-01T16:48:22Z');
      const transfers = r.transferList.transfer;
      assert.deepEqual(
        transfers.map((t) => [t.idTransfer, t.transferAmount, t.fiscalCodePA]),
        p.transferList.transfer.map((t) => [t.idTransfer, t.transferAmount, t.fiscalCodePA]),
      );
      assert.equal(
        transfers.reduce((sum, t) => sum + t.transferAmount, 0),
        r.paymentAmount,
        'transfers add up to the amount paid',
      );
    }
  }
});

test('V2: a stamp duty becomes the PSP\u2019s MBDAttachment; the V2 details (primaryCiIncurredFee, bundles) are carried', () => {
  const paid = paidPayment({ ...base, version: 2, fiscalCode: A, other: B });
  const r = decoded(sendRtRequest(snapshotOf(paid, undefined), 2, header(A)).body) as ReceiptV2;
  const stamp = r.transferList.transfer.find((t) => t.idTransfer === 3);
  assert.ok(stamp?.MBDAttachment && stamp.IBAN === undefined);
  const details = paid.details as {
    marcheDaBollo?: { marcaDaBollo: Array<{ MBDAttachment: string }> };
    primaryCiIncurredFee?: number;
    idBundle?: string;
    idCiBundle?: string;
  };
  assert.equal(stamp.MBDAttachment, details.marcheDaBollo?.marcaDaBollo[0]?.MBDAttachment);
  assert.deepEqual([r.primaryCiIncurredFee, r.idBundle, r.idCiBundle], [details.primaryCiIncurredFee, details.idBundle, details.idCiBundle]);
  assert.equal(r.transferList.transfer.find((t) => t.idTransfer === 2)?.companyName, 'Provincia di Prova');
});

test('a receipt that cannot be expressed is refused with the reason: a stamp duty to a V1 station, a stamp the PSP did not deliver', () => {
  const paid = paidPayment({ ...base, version: 2, fiscalCode: A });
  assert.throws(
    () => sendRtRequest(snapshotOf(paid, undefined), 1, header(A)),
    (e: Error) => e instanceof ReceiptBuildError && /stamp duty.*version 2/.test(e.message),
  );
  const noStamp: ReceiptSnapshot = { ...snapshotOf(paid, undefined), details: { ...paid.details, marcheDaBollo: undefined } as PaidPayment['details'] };
  assert.throws(
    () => buildReceiptV2(noStamp),
    (e: Error) => e instanceof ReceiptBuildError && /MBDAttachment/.test(e.message),
  );
});

test('without outcome details the receipt leaves out fee, payer and dates, and still validates', async () => {
  const paid: PaidPayment = { ...paidPayment({ ...base, version: 1, fiscalCode: A }) };
  delete paid.details;
  const body = sendRtRequest(snapshotOf(paid, undefined), 2, header(A)).body;
  const r = decoded(body);
  assert.deepEqual([r.fee, r.payer, r.applicationDate, r.channelDescription], [undefined, undefined, undefined, 'NA']);
  assert.deepEqual((await validateEnvelopes([{ name: 'no details', xml: body }])).get('no details'), []);
});
