import { test } from 'node:test';
import assert from 'node:assert/strict';
import { secondInstance } from '../support/instances.ts';
import { activateOk, ecWithStation, faultOf, nodeTestApp, nodeWith, noticeNumber, qr, registerPsp, soap } from '../support/pagopa-node.ts';

// One live token per notice under concurrency, across two Varco instances (two pools, two node
// services) on one database, against a real mutual-TLS EC station. The rule is the partial unique
// index of migration 0016: the last test inserts straight into PostgreSQL, past the node's code.

const t = await nodeTestApp();
const second = await secondInstance(t, {
  customise: (services, deps) => {
    services.pagopaNode = nodeWith(services, deps, t.receipts);
  },
});
const psp = await registerPsp(t.services, t, 'Banca Concorrente');
const { ec, station } = await ecWithStation(t, 'Comune Concorrente');
const AMOUNT = 10_000;

const liveTokens = async (notice: string) =>
  t.database.db
    .selectFrom('pagopa_payments')
    .select(['token', 'state'])
    .where('notice_number', '=', notice)
    .where('state', 'in', ['activating', 'active', 'paid'])
    .execute();

test('20 parallel activations of one notice over two instances: exactly one token, the others PPT_PAGAMENTO_IN_CORSO, one live row', async () => {
  const notice = noticeNumber();
  const asked = station.calls('paGetPaymentV2').length;
  // The EC answers slowly, so every request arrives while the winner still holds the notice.
  station.inject({ kind: 'slow', delayMs: 300 }, 1);
  const answers = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      soap(i % 2 === 0 ? t.app : second.app, psp.key, 'activatePaymentNoticeV2', { ...psp.head, qrCode: qr(ec, notice), amount: AMOUNT }),
    ),
  );
  const codes = answers.map((a) => faultOf(a.value));
  assert.equal(codes.filter((c) => c === 'OK').length, 1, codes.join(' '));
  assert.equal(codes.filter((c) => c === 'PPT_PAGAMENTO_IN_CORSO').length, 19, codes.join(' '));
  const winner = answers.find((a) => a.value.outcome === 'OK')?.value.paymentToken;
  assert.deepEqual(await liveTokens(notice), [{ token: winner, state: 'active' }]);
  assert.equal(station.calls('paGetPaymentV2').length, asked + 1, 'only the winner asked the EC');
});

test('PostgreSQL itself refuses a second live token for a notice; dead rows (failed, expired, ko) may be many', async () => {
  const notice = noticeNumber();
  const token = await activateOk(t.app, psp, ec, notice, AMOUNT);
  const row = await t.database.db.selectFrom('pagopa_payments').selectAll().where('token', '=', token).executeTakeFirstOrThrow();
  // The row as the node wrote it, under another token (jsonb given as JSON text).
  const copy = (n: number, state: typeof row.state) => ({
    ...row,
    token: `${'e'.repeat(31)}${n}`,
    state,
    payment: JSON.stringify(row.payment),
    outcome: state === 'ko' ? ('KO' as const) : null,
    outcome_details: null,
  });
  for (const [n, state] of [
    [1, 'active'],
    [2, 'activating'],
    [3, 'paid'],
  ] as const) {
    await assert.rejects(
      t.database.db
        .insertInto('pagopa_payments')
        .values({ ...copy(n, state), outcome: state === 'paid' ? 'OK' : null })
        .execute(),
      (e: { code?: string; constraint?: string }) => e.code === '23505' && e.constraint === 'pagopa_payments_live_notice',
      state,
    );
  }
  for (const [n, state] of [
    [4, 'failed'],
    [5, 'expired'],
    [6, 'ko'],
  ] as const) {
    await t.database.db.insertInto('pagopa_payments').values(copy(n, state)).execute();
  }
  assert.deepEqual(
    (await liveTokens(notice)).map((r) => r.token),
    [token],
  );
});
