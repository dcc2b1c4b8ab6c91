// Issue 10 item 7 (storage): the hosted page's error log keeps at most VARCO_ERROR_LOG_MAX_ROWS rows
// per PSPID and environment, and as many for every unknown PSPID together, dropping the oldest
// first; each row is a few KB however large the rejected request was.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { buildTestApp } from '../support/app.ts';
import { createMerchant, errorRows, postEntry, signedOrder } from '../support/ecommerce.ts';
import { systemClock } from '../../src/kernel/clock.ts';
import { createErrorLogService } from '../../src/modules/merchants/index.ts';

const MAX = 100;
const NO_LIMIT = '1000000';
const t = await buildTestApp({
  env: { VARCO_ERROR_LOG_MAX_ROWS: String(MAX), VARCO_NCOL_RATE_LIMIT_PER_IP: NO_LIMIT, VARCO_NCOL_RATE_LIMIT_PER_PSPID: NO_LIMIT },
});
const { app } = t;
const db = t.database.db;

/** A signed order whose SHASIGN is wrong: rejected, one error-log row. */
const tampered = (pairs: Array<[string, string]>) =>
  pairs.map(([n, v]): [string, string] => [n, n === 'SHASIGN' ? `${v.slice(0, -1)}${v.endsWith('0') ? '1' : '0'}` : v]);

describe('rows per PSPID', () => {
  it(`a merchant flooded with ${MAX + 30} rejections keeps its ${MAX} newest; another merchant's rows stay`, async () => {
    const flooded = await createMerchant(t);
    const quiet = await createMerchant(t);
    await postEntry(app, tampered(signedOrder(quiet, 'quiet-1')));
    for (let i = 0; i < MAX + 30; i++) await postEntry(app, tampered(signedOrder(flooded, `flood-${i}`)));
    const rows = await errorRows(t, flooded.merchantId);
    assert.equal(rows.length, MAX);
    const kept = new Set(rows.map((r) => r.order_ref));
    assert.ok(kept.has(`flood-${MAX + 29}`) && kept.has('flood-30') && !kept.has('flood-29') && !kept.has('flood-0'), 'the oldest went first');
    assert.deepEqual(
      (await errorRows(t, quiet.merchantId)).map((r) => r.order_ref),
      ['quiet-1'],
    );
  });

  it('unknown PSPIDs share one bound, whichever PSPID each request names', async () => {
    for (let i = 0; i < MAX + 20; i++)
      await postEntry(app, [
        ['PSPID', `ghost${i}`],
        ['ORDERID', `ghost-${i}`],
      ]);
    const rows = await errorRows(t, null);
    assert.equal(rows.length, MAX);
    assert.ok(rows.some((r) => r.order_ref === `ghost-${MAX + 19}`) && !rows.some((r) => r.order_ref === 'ghost-0'));
  });

  it('a bound lowered since is applied within one turn of the ring, without a DELETE per row', async () => {
    const m = await createMerchant(t);
    const base = {
      merchantId: m.merchantId,
      env: 'test' as const,
      pspid: m.pspid,
      code: '50001184',
      message: 'unknown order/1/s/',
      clientIp: null,
      referrer: null,
    };
    const wide = createErrorLogService({ db, clock: systemClock, maxRowsPerPspid: 150 });
    for (let i = 0; i < 150; i++) await wide.recordEntryError({ ...base, orderRef: `wide-${i}` });
    assert.equal((await errorRows(t, m.merchantId)).length, 150);
    const narrow = createErrorLogService({ db, clock: systemClock, maxRowsPerPspid: MAX });
    for (let i = 0; i < MAX; i++) await narrow.recordEntryError({ ...base, orderRef: `narrow-${i}` });
    const rows = await errorRows(t, m.merchantId);
    assert.equal(rows.length, MAX);
    assert.ok(rows.every((r) => r.order_ref?.startsWith('narrow-')));
  });
});

describe('size of a row', () => {
  it('a 200 KB rejected request costs at most 4 KiB of row, card data removed', async () => {
    const m = await createMerchant(t);
    // 60 values of 600 "é" (6 bytes each once percent-encoded): about 220 KB, under the 256 KiB body limit.
    const big: Array<[string, string]> = Array.from({ length: 60 }, (_, i) => [`ITEMNAME${i + 1}`, `${'é'.repeat(600)}4111111111111111`]);
    const pairs = tampered(signedOrder(m, 'huge-1', [...big, ['COM', `card 4111 1111 1111 1111 cvc=123 ${'x'.repeat(80)}`], ['CVC', '123']]));
    const res = await postEntry(app, pairs);
    assert.equal(res.statusCode, 200);
    const { rows } = await sql<{ bytes: number; text: string }>`SELECT octet_length(row_to_json(e)::text) AS bytes, row_to_json(e)::text AS text
      FROM ecommerce_errors e WHERE merchant_id = ${m.merchantId}`.execute(db);
    assert.equal(rows.length, 1);
    assert.ok(rows[0]!.bytes <= 4096, `${rows[0]!.bytes} bytes`);
    assert.doesNotMatch(rows[0]!.text, /4111111111111111|4111 1111 1111 1111|cvc=123|"CVC"/i);
    assert.match(rows[0]!.text, /unknown order\/1\/s\//);
  });
});
