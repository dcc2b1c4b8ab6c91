import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeResponse, type PaymentPA, type PaymentPAV2, type RequestOf } from '../../protocols/pagopa/index.ts';
import { responseSamples } from '../../../test/support/pagopa-samples.ts';
import { validateEnvelopes } from '../../../test/support/pagopa-xsd.ts';
import { activationAnswer, requestDigest, tokenExpiry, ACTIVATING_MARGIN_MS } from './activate.policy.ts';

// An activation's pure decisions: the idempotency digest, the token's life, and the PSP's answer built
// from the EC's payment in either version (checked against the official XSD).

const dataOf = (name: string) => {
  const sample = responseSamples.find((s) => s.name === name);
  assert.ok(sample && 'data' in sample.value && sample.value.data);
  return sample.value.data;
};
const v1 = dataOf('paGetPayment OK full') as PaymentPA;
const v2 = dataOf('paGetPaymentV2 OK full') as PaymentPAV2;
const v2Iban = { ...v2, transferList: { transfer: [v2.transferList.transfer[0]!, { ...v1.transferList.transfer[1]!, transferAmount: 16 }] } } as PaymentPAV2;
const request = (amount: number, extra: Partial<RequestOf<'activatePaymentNoticeV2'>> = {}): RequestOf<'activatePaymentNoticeV2'> => ({
  idPSP: 'AGID_01',
  idBrokerPSP: '97735020584',
  idChannel: '97735020584_03',
  password: 'pwdpwdpwd',
  qrCode: { fiscalCode: '77777777777', noticeNumber: '311111111112222222' },
  amount,
  ...extra,
});
const TOKEN = 'c110729d258c4ab1b765fe902aae41d6';

test('the PSP gets its version\u2019s answer whatever the station\u2019s, valid against the official XSD', async () => {
  const cases = [
    { name: 'V1 station, V1 PSP', op: 'activatePaymentNotice', payment: { version: 1, data: v1 }, amounts: [2000, 1000] },
    { name: 'V1 station, V2 PSP', op: 'activatePaymentNoticeV2', payment: { version: 1, data: v1 }, amounts: [2000, 1000] },
    { name: 'V2 station, V2 PSP (a stamp)', op: 'activatePaymentNoticeV2', payment: { version: 2, data: v2 }, amounts: [2984, 16] },
    { name: 'V2 station, V1 PSP (IBANs only)', op: 'activatePaymentNotice', payment: { version: 2, data: v2Iban }, amounts: [2984, 16] },
  ] as const;
  const xml = cases.map((c) => {
    const answer = activationAnswer(c.op, c.payment, TOKEN, request(3000));
    assert.ok(answer.ok, c.name);
    assert.equal(answer.value.paymentToken, TOKEN);
    assert.equal(answer.value.totalAmount, 3000);
    assert.deepEqual(
      answer.value.transferList?.transfer.map((t) => t.transferAmount),
      c.amounts,
      c.name,
    );
    return { name: c.name, xml: encodeResponse(c.op, answer.value as never) };
  });
  const errors = await validateEnvelopes(xml);
  assert.deepEqual(
    [...errors].filter(([, e]) => e.length > 0),
    [],
  );
});

test('refused: another amount than the EC\u2019s, and a digital stamp asked of a version 1 activation (PPT_SEMANTICA)', () => {
  const other = activationAnswer('activatePaymentNoticeV2', { version: 2, data: v2 }, TOKEN, request(2999));
  assert.ok(!other.ok && other.fault.faultCode === 'PPT_SEMANTICA' && /29\.99/.test(other.fault.description ?? ''));
  const stamp = activationAnswer('activatePaymentNotice', { version: 2, data: v2 }, TOKEN, request(3000));
  assert.ok(!stamp.ok && stamp.fault.faultCode === 'PPT_SEMANTICA' && /activatePaymentNoticeV2/.test(stamp.fault.description ?? ''));
});

test('the idempotency digest ignores the password and the key, and sees every other field and the operation', () => {
  const base = request(3000, { idempotencyKey: 'AGID01_a1B2c3D4e5' });
  const d = requestDigest('activatePaymentNoticeV2', base);
  assert.equal(requestDigest('activatePaymentNoticeV2', { ...base, password: 'another-pwd' }), d);
  for (const change of [
    { amount: 3001 },
    { expirationTime: 60_000 },
    { dueDate: '2026-12-31' },
    { paymentNote: 'n' },
    { paymentMethod: 'CP' as const },
    { touchPoint: 'PSP' as const },
    { idChannel: 'other' },
    { qrCode: { fiscalCode: '77777777777', noticeNumber: '311111111112222223' } },
  ]) {
    assert.notEqual(requestDigest('activatePaymentNoticeV2', { ...base, ...change }), d, JSON.stringify(change));
  }
  assert.notEqual(requestDigest('activatePaymentNotice', base), d);
});

test('a token lives expirationTime (or 30 min) from the answer; while activating it is held for the call\u2019s timeout and a margin', () => {
  const now = new Date('2026-05-01T10:00:00Z');
  assert.equal(tokenExpiry(now, request(1), 'active', 8000).getTime() - now.getTime(), 1_800_000);
  assert.equal(tokenExpiry(now, request(1, { expirationTime: 1000 }), 'active', 8000).getTime() - now.getTime(), 1000);
  assert.equal(tokenExpiry(now, request(1, { expirationTime: 1000 }), 'activating', 8000).getTime() - now.getTime(), 8000 + ACTIVATING_MARGIN_MS);
});
