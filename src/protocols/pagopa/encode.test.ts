// The encoders refuse values that would not validate against the XSD or break its rules: an
// EncodeError naming the element, never a message pagoPA's schema would reject.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EncodeError, encodeRequest, encodeResponse, type RequestOf, type ResponseOf } from './index.ts';
import { requestSamples, responseSamples } from '../../../test/support/pagopa-samples.ts';

const activate = requestSamples.find((s) => s.name === 'activatePaymentNotice full')!.value as RequestOf<'activatePaymentNotice'>;
const getV2 = responseSamples.find((s) => s.name === 'paGetPaymentV2 OK full')!.value as ResponseOf<'paGetPaymentV2'>;

function refusedAt(path: RegExp, encode: () => string): void {
  assert.throws(encode, (e: unknown) => e instanceof EncodeError && path.test(e.path), `expected an EncodeError at ${path}`);
}

describe('encoder refusals', () => {
  it('mandatory elements, lengths, patterns, amounts and dates', () => {
    const { password: _password, ...noPassword } = activate;
    refusedAt(/activatePaymentNoticeReq\/password$/, () => encodeRequest('activatePaymentNotice', noPassword as never));
    refusedAt(/\/idPSP$/, () => encodeRequest('activatePaymentNotice', { ...activate, idPSP: 'x'.repeat(36) }));
    refusedAt(/\/idPSP$/, () => encodeRequest('activatePaymentNotice', { ...activate, idPSP: '' }));
    refusedAt(/\/qrCode\/noticeNumber$/, () => encodeRequest('activatePaymentNotice', { ...activate, qrCode: { ...activate.qrCode, noticeNumber: '3111' } }));
    refusedAt(/\/amount$/, () => encodeRequest('activatePaymentNotice', { ...activate, amount: 10.5 }));
    refusedAt(/\/amount$/, () => encodeRequest('activatePaymentNotice', { ...activate, amount: -1 }));
    refusedAt(/\/expirationTime$/, () => encodeRequest('activatePaymentNotice', { ...activate, expirationTime: 1_800_001 }));
    refusedAt(/\/dueDate$/, () => encodeRequest('activatePaymentNotice', { ...activate, dueDate: '2026-02-30' }));
    refusedAt(/\/dueDate$/, () => encodeRequest('activatePaymentNotice', { ...activate, dueDate: ' 2026-02-01' }));
    refusedAt(/\/paymentNote$/, () => encodeRequest('activatePaymentNotice', { ...activate, paymentNote: 'bell \u0007' }));
  });

  it('unknown fields, wrong shapes, list bounds and choices', () => {
    refusedAt(/\/standin$/, () => encodeRequest('activatePaymentNotice', { ...activate, standin: true } as never));
    refusedAt(/\/qrCode$/, () => encodeRequest('activatePaymentNotice', { ...activate, qrCode: 'x' } as never));
    const transfers = getV2.data!.transferList.transfer;
    const data = getV2.data!;
    refusedAt(/\/transferList\/transfer$/, () => encodeResponse('paGetPaymentV2', { outcome: 'OK', data: { ...data, transferList: { transfer: [] } } }));
    refusedAt(/\/transferList\/transfer$/, () =>
      encodeResponse('paGetPaymentV2', { outcome: 'OK', data: { ...data, transferList: { transfer: Array(6).fill(transfers[0]) } } }),
    );
    const { IBAN: _iban, ...noIban } = transfers[0] as { IBAN: string };
    refusedAt(/transfer\[0\]$/, () => encodeResponse('paGetPaymentV2', { outcome: 'OK', data: { ...data, transferList: { transfer: [noIban] } } } as never));
    refusedAt(/transfer\[1\]$/, () =>
      encodeResponse('paGetPaymentV2', {
        outcome: 'OK',
        data: { ...data, transferList: { transfer: [transfers[0]!, { ...transfers[1]!, IBAN: 'IT60X0542811101000000123456' }] } },
      } as never),
    );
  });

  it('responses obey the rules outside the XSD', () => {
    refusedAt(/\/fault$/, () => encodeResponse('paSendRT', { outcome: 'KO' }));
    refusedAt(/\/fault$/, () => encodeResponse('paSendRT', { outcome: 'OK', fault: { faultCode: 'X', faultString: 'x', id: 'y' } }));
    const transfer = { idTransfer: 1, transferAmount: 1, fiscalCodePA: '77777777777', IBAN: 'IT60X0542811101000000123456', remittanceInformation: 'r' };
    refusedAt(/\/paymentToken$/, () => encodeResponse('activatePaymentNotice', { outcome: 'OK', totalAmount: 1, transferList: { transfer: [transfer] } }));
    refusedAt(/\/paymentList$/, () => encodeResponse('verifyPaymentNotice', { outcome: 'OK' }));
  });

  it('an EncodeError names the path and never the value', () => {
    try {
      encodeRequest('activatePaymentNotice', { ...activate, password: 'secret-password-too-long' });
      assert.fail('expected an EncodeError');
    } catch (e) {
      assert.ok(e instanceof EncodeError);
      assert.match(e.message, /^activatePaymentNoticeReq\/password: must be at most 15 characters long$/);
      assert.ok(!e.message.includes('secret'));
    }
  });
});
