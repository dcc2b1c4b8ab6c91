import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { outcomeVerdict } from './outcome.policy.ts';
import { cursorOf, ecPaymentView, isPaymentCursor, isPaymentToken, outcomeDetailsView, parseCursor, standingOf } from './payments.views.ts';

// The payment pages' reading of a token, pure: where it stands now agrees with how the node judges
// an outcome at that time, page cursors round-trip, and the EC's data and the PSP's outcome reach the
// pages without the debtor, the payer or the stamps' content.

const NOW = new Date('2026-05-01T10:00:00Z');
const at = (ms: number): Date => new Date(NOW.getTime() + ms);

test('a token past its expiry: active reads lapsed, activating reads stalled, any other state as stored', () => {
  assert.equal(standingOf('active', at(1), NOW), 'active');
  assert.equal(standingOf('active', at(0), NOW), 'lapsed', 'at the expiry itself, as the outcome counts it');
  assert.equal(standingOf('active', at(-60_000), NOW), 'lapsed');
  assert.equal(standingOf('activating', at(1), NOW), 'activating');
  assert.equal(standingOf('activating', at(-1), NOW), 'stalled');
  for (const state of ['failed', 'paid', 'ko', 'expired'] as const) assert.equal(standingOf(state, at(-60_000), NOW), state);
});

test('lapsed is exactly when the node takes a late OK and refuses a KO (outcome.policy)', () => {
  fc.assert(
    fc.property(fc.integer({ min: -3_600_000, max: 3_600_000 }), (offset) => {
      const expiresAt = at(offset);
      const row = {
        state: 'active' as const,
        expiresAt,
        everActive: true,
        pspOrganisationId: 'org_p',
        idPsp: 'P',
        outcomeIdempotencyKey: null,
        outcomeDigest: null,
      };
      const asked = { organisationId: 'org_p', idPsp: 'P', idempotencyKey: undefined, digest: 'd', now: NOW };
      const ok = outcomeVerdict(row, { ...asked, outcome: 'OK' });
      const ko = outcomeVerdict(row, { ...asked, outcome: 'KO' });
      const lapsed = standingOf('active', expiresAt, NOW) === 'lapsed';
      assert.deepEqual(ok, { kind: 'accept', late: lapsed });
      assert.deepEqual(ko, lapsed ? { kind: 'refuse', faultCode: 'PPT_TOKEN_SCADUTO_KO' } : { kind: 'accept', late: false });
    }),
  );
});

test('a page cursor names the row it was made from; anything else is not a cursor', () => {
  const row = { activatedAt: new Date('2026-03-01T16:48:22.123Z'), token: '0123456789abcdef0123456789abcdef' };
  assert.deepEqual(parseCursor(cursorOf(row)), row);
  for (const bad of ['', 'x', '123', '123.', '.abc', "1.' OR 1=1", `1.${'a'.repeat(36)}`, '99999999999999999.abc'])
    assert.equal(isPaymentCursor(bad), false, bad);
  assert.ok(isPaymentToken('0123456789abcdef0123456789abcdef'));
  for (const bad of ['', 'a'.repeat(36), 'abc def', "abc'", 'àbc']) assert.equal(isPaymentToken(bad), false, bad);
});

const DEBTOR = {
  uniqueIdentifier: { entityUniqueIdentifierType: 'F', entityUniqueIdentifierValue: 'RSSMRA80A01H501U' },
  fullName: 'Mario Rossi',
  streetName: 'Via Segreta',
  email: 'mario.rossi@example.it',
};

test('the EC\u2019s payment is shown without the debtor and the metadata; a stamp by its type only (not the debtor\u2019s province, not its hash)', () => {
  const stored = {
    version: 2,
    data: {
      creditorReferenceId: '11010000000000001',
      paymentAmount: 3000,
      dueDate: '2026-12-31',
      description: 'TARI 2026',
      companyName: 'Comune di Prova',
      debtor: DEBTOR,
      metadata: { mapEntry: [{ key: 'note', value: 'riservato' }] },
      transferList: {
        transfer: [
          {
            idTransfer: 1,
            transferAmount: 2984,
            fiscalCodePA: '00000000001',
            IBAN: 'IT60X0542811101000000123456',
            remittanceInformation: 'Quota',
            transferCategory: '9/0101108TS/',
          },
          {
            idTransfer: 2,
            transferAmount: 16,
            fiscalCodePA: '00000000001',
            companyName: 'Comune di Prova',
            richiestaMarcaDaBollo: { hashDocumento: 'aGFzaGRlbGRvY3VtZW50bw==', tipoBollo: '01', provinciaResidenza: 'RM' },
            remittanceInformation: 'Bollo',
            transferCategory: '9/0101108TS/',
          },
        ],
      },
    },
  };
  const view = ecPaymentView(stored);
  assert.ok(view);
  assert.deepEqual(
    [view.version, view.amountCents, view.description, view.transfers.map((t) => [t.iban, t.stamp, t.companyName])],
    [
      2,
      3000,
      'TARI 2026',
      [
        ['IT60X0542811101000000123456', null, null],
        [null, { type: '01' }, 'Comune di Prova'],
      ],
    ],
  );
  const text = JSON.stringify(view);
  for (const secret of ['Mario Rossi', 'RSSMRA80A01H501U', 'Via Segreta', 'mario.rossi', 'riservato', 'aGFzaGRlbGRvY3VtZW50bw=='])
    assert.ok(!text.includes(secret), secret);
  assert.equal(ecPaymentView(null), null, 'no payment data before the EC answered');
});

test('the outcome details are shown without the payer and the stamps\u2019 attachments (V1 and V2)', () => {
  const v1 = outcomeDetailsView({
    paymentMethod: 'creditCard',
    paymentChannel: 'app',
    fee: 150,
    payer: DEBTOR,
    applicationDate: '2026-03-01',
    transferDate: '2026-03-02',
  });
  assert.deepEqual(v1, {
    paymentMethod: 'creditCard',
    paymentChannel: 'app',
    feeCents: 150,
    primaryCiIncurredFeeCents: null,
    idBundle: null,
    idCiBundle: null,
    applicationDate: '2026-03-01',
    transferDate: '2026-03-02',
    stamps: 0,
  });
  const v2 = outcomeDetailsView({
    paymentMethod: 'other',
    fee: 200,
    primaryCiIncurredFee: 50,
    idBundle: 'b1',
    payer: DEBTOR,
    applicationDate: '2026-03-01',
    transferDate: '2026-03-02',
    marcheDaBollo: { marcaDaBollo: [{ paymentToken: 't', idTransfer: 2, MBDAttachment: 'PG1hcmNhPnNlZ3JldGE8L21hcmNhPg==' }] },
  });
  assert.deepEqual([v2?.primaryCiIncurredFeeCents, v2?.idBundle, v2?.stamps, v2?.paymentChannel], [50, 'b1', 1, null]);
  const text = JSON.stringify([v1, v2]);
  for (const secret of ['Mario Rossi', 'RSSMRA80A01H501U', 'PG1hcmNh']) assert.ok(!text.includes(secret), secret);
});
