// Issue 10 item 7 (rate limits): the hosted page entry accepts VARCO_NCOL_RATE_LIMIT_PER_IP requests
// a minute per client address and VARCO_NCOL_RATE_LIMIT_PER_PSPID per PSPID (and environment); the
// next gets 429, a small page with Retry-After in the customer's language, and writes nothing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { buildTestApp } from '../support/app.ts';
import { createMerchant, formBytes, signedOrder } from '../support/ecommerce.ts';
import { pspidKey } from '../../src/http/ncol/limits.ts';

const PER_IP = 5;
const PER_PSPID = 8;
const t = await buildTestApp({ env: { VARCO_NCOL_RATE_LIMIT_PER_IP: String(PER_IP), VARCO_NCOL_RATE_LIMIT_PER_PSPID: String(PER_PSPID) } });
const { app } = t;
const db = t.database.db;

function post(
  pairs: Array<[string, string]>,
  ip: string,
  options: { env?: 'test' | 'prod'; headers?: Record<string, string> } = {},
): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url: `/ncol/${options.env ?? 'test'}/orderstandard_utf8.asp`,
    remoteAddress: ip,
    payload: formBytes(pairs, 'utf8'),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...options.headers },
  });
}

const errorCount = async (): Promise<number> =>
  Number(
    (
      await db
        .selectFrom('ecommerce_errors')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

function assertRefused(res: LightMyRequestResponse): void {
  assert.equal(res.statusCode, 429, res.body.slice(0, 200));
  const retry = Number(res.headers['retry-after']);
  assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= 60, `Retry-After ${res.headers['retry-after']}`);
  assert.match(String(res.headers['content-type']), /^text\/html/);
  assert.ok(res.body.length < 2048, `a small page, not ${res.body.length} bytes`);
  assert.doesNotMatch(res.body, /Error:|\bat [\w.]+ \(|stack|rate limit exceeded/i, 'never a stack trace or the plugin\u2019s text');
}

describe('per client address', () => {
  it(`the ${PER_IP + 1}th entry request in a minute from one address is refused before anything is written; other addresses go on`, async () => {
    const ip = '198.51.100.7';
    for (let i = 0; i < PER_IP; i++)
      assert.equal(
        (
          await post(
            [
              ['PSPID', `nobody${i}`],
              ['ORDERID', `ip-${i}`],
            ],
            ip,
          )
        ).statusCode,
        200,
      );
    const before = await errorCount();
    const refused = await post(
      [
        ['PSPID', 'nobody-x'],
        ['ORDERID', 'ip-x'],
      ],
      ip,
    );
    assertRefused(refused);
    assert.match(refused.body, /Too many payment requests/);
    // GET links count on the same address, and the Italian browser reads the page in Italian.
    const link = await app.inject({
      method: 'GET',
      url: '/ncol/test/orderstandard.asp?PSPID=nobody&ORDERID=1',
      remoteAddress: ip,
      headers: { 'accept-language': 'it-IT,it;q=0.9' },
    });
    assertRefused(link);
    assert.match(link.body, /Troppe richieste di pagamento/);
    assert.equal(await errorCount(), before, 'a refused request writes no error-log row');
    assert.equal((await post([['PSPID', 'nobody-y']], '198.51.100.8')).statusCode, 200, 'another address is not limited');
    const line = t.logs.find((l) => (l.res as { statusCode?: number } | undefined)?.statusCode === 429);
    assert.ok(line, 'the access log shows the 429');
    assert.equal(line.level, 30, 'logged as information, not as an error');
  });
});

describe('per PSPID', () => {
  it(`the ${PER_PSPID + 1}th request in a minute naming one PSPID is refused whatever the address or case; other PSPIDs and prod are separate`, async () => {
    const m = await createMerchant(t);
    for (let i = 0; i < PER_PSPID; i++) {
      const res = await post(signedOrder(m, `pspid-${i}`), `203.0.113.${i % 4}`);
      assert.equal(res.statusCode, 303, `request ${i}`);
    }
    const before = await errorCount();
    const orders = await db.selectFrom('orders').select('id').where('merchant_id', '=', m.merchantId).execute();
    const refused = await post(signedOrder({ ...m, pspid: m.pspid.toUpperCase() }, 'pspid-x', [['LANGUAGE', 'it_IT']]), '203.0.113.200');
    assertRefused(refused);
    assert.match(refused.body, /Troppe richieste di pagamento/, 'the form\u2019s LANGUAGE');
    // LANGUAGE is read whole, as the entry reads it (which answers en_US to `it_IT-x`): not its first five characters.
    const longer = await post(signedOrder(m, 'pspid-y', [['LANGUAGE', 'it_IT-x']]), '203.0.113.204');
    assertRefused(longer);
    assert.match(longer.body, /Too many payment requests/, 'it_IT-x is not it_IT');
    const query = new URLSearchParams(signedOrder(m, 'pspid-get')).toString();
    assertRefused(await app.inject({ method: 'GET', url: `/ncol/test/orderstandard.asp?${query}`, remoteAddress: '203.0.113.201' }));
    assert.equal(await errorCount(), before);
    assert.equal((await db.selectFrom('orders').select('id').where('merchant_id', '=', m.merchantId).execute()).length, orders.length, 'no order either');
    assert.equal((await post([['PSPID', 'someone-else']], '203.0.113.202')).statusCode, 200, 'another PSPID goes on');
    assert.equal((await post(signedOrder(m, 'pspid-prod'), '203.0.113.203', { env: 'prod' })).statusCode, 200, 'prod counts apart');
  });
});

describe('the PSPID key is the PSPID the entry reads', () => {
  it('whitespace the entry trims (ASCII, beyond 64 characters, or Unicode on the UTF-8 page) does not open another key', async () => {
    const m = await createMerchant(t);
    const rows = async (): Promise<number> => (await db.selectFrom('ecommerce_errors').select('id').where('merchant_id', '=', m.merchantId).execute()).length;
    for (let i = 0; i < PER_PSPID; i++)
      assert.equal(
        (
          await post(
            [
              ['PSPID', m.pspid],
              ['ORDERID', `ws-${i}`],
            ],
            `192.0.2.${i}`,
          )
        ).statusCode,
        200,
      );
    const before = await rows();
    assert.equal(before, PER_PSPID, 'each unsigned request was logged for the merchant');
    const spellings = [' '.repeat(62) + m.pspid, ' '.repeat(70) + m.pspid.toLowerCase(), `\u00a0${m.pspid}`, `\u3000${m.pspid}\u2003`, `\ufeff${m.pspid}`];
    for (const [i, pspid] of spellings.entries()) {
      assertRefused(
        await post(
          [
            ['PSPID', pspid],
            ['ORDERID', `ws-x${i}`],
          ],
          `192.0.2.${100 + i}`,
        ),
      );
    }
    assert.equal(await rows(), before, 'no spelling reached the merchant\u2019s error log');
  });
});

describe('reading the PSPID cheaply', () => {
  it('finds the first PSPID in any case, percent-escaped or not, decoded as the entry decodes it, and ignores look-alikes', () => {
    const bytes = (s: string) => Buffer.from(s, 'latin1');
    const key = (s: string, page = 'orderstandard.asp') => pspidKey(bytes(s), { url: `/ncol/test/${page}?x=1` });
    assert.equal(key('ORDERID=1&pspid=Shop%5F1&AMOUNT=2'), 'SHOP_1');
    assert.equal(key('%50SPID=+esc%5Faped+'), 'ESC_APED', '`+` is a space, trimmed like the entry trims it');
    assert.equal(key('XPSPID=no&PSPIDX=no&PSPID'), '');
    assert.equal(key(`PSPID=${'a'.repeat(10_000)}`), '', 'the whole value: not a PSPID, however it starts');
    assert.equal(key(''), '');
    assert.equal(key('&&=&PSPID=last&PSPID=second'), 'LAST');
    // A malformed escape stays as sent (WHATWG), as the entry reads it; it is not a byte of its own.
    assert.equal(key('PSPID=Shop%-1'), '');
    // ISO-8859-1 names: `ß` is not `SS` (names compare in ASCII case only, as the entry compares them).
    assert.equal(key('P%DFPID=Shop1'), '');
    // The page's charset: `%C3%A9` is one character on the UTF-8 page, two on the ISO page; neither is a PSPID.
    assert.equal(key('PSPID=%C3%A9', 'orderstandard_utf8.asp'), '');
    assert.equal(key('PSPID=Shop1%E9', 'orderstandard_utf8.asp'), '', 'not UTF-8: the unknown bucket, as the entry refuses it');
  });
});
