import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp } from '../support/app.ts';
import { createMerchant, formBytes } from '../support/ecommerce.ts';
import { createApiUser, readNcResponse, signedDirect } from '../support/directlink.ts';

// DirectLink is limited like the hosted page entry (VARCO_NCOL_RATE_LIMIT_PER_IP per client address,
// VARCO_NCOL_RATE_LIMIT_PER_PSPID per PSPID and environment), with counters of its own; a refused
// call gets 429, Retry-After and an `<ncresponse/>`, and reaches nothing (no argon2 run, no row).

const PER_IP = 5;
const PER_PSPID = 8;
const t = await buildTestApp({ env: { VARCO_NCOL_RATE_LIMIT_PER_IP: String(PER_IP), VARCO_NCOL_RATE_LIMIT_PER_PSPID: String(PER_PSPID) } });
const { app } = t;
const m = await createMerchant(t);
const user = await createApiUser(t, m);

const query = (ip: string, pspid = m.pspid) =>
  app.inject({
    method: 'POST',
    url: '/ncol/test/querydirect.asp',
    remoteAddress: ip,
    payload: formBytes(signedDirect({ ...m, pspid }, user, [['ORDERID', 'nothing']]), 'latin1'),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });

const errors = async () =>
  Number(
    (
      await t.database.db
        .selectFrom('ecommerce_errors')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

test(`the ${PER_IP + 1}th call in a minute from one address is refused in XML with Retry-After; the hosted page’s counter is its own`, async () => {
  for (let i = 0; i < PER_IP; i++) assert.equal((await query('198.51.100.20', `nobody${i}`)).statusCode, 200);
  const before = await errors();
  const refused = await query('198.51.100.20');
  assert.equal(refused.statusCode, 429);
  const retry = Number(refused.headers['retry-after']);
  assert.ok(retry >= 1 && retry <= 60);
  assert.match(String(refused.headers['content-type']), /^text\/xml/);
  const a = readNcResponse(refused.body).attributes;
  assert.equal(a.get('NCERROR'), '50001111');
  assert.match(a.get('NCERRORPLUS') ?? '', /^too many requests: retry in \d+ s$/);
  assert.equal(await errors(), before, 'nothing written');
  const entry = await app.inject({ method: 'GET', url: '/ncol/test/orderstandard.asp?PSPID=x', remoteAddress: '198.51.100.20' });
  assert.equal(entry.statusCode, 200, 'the hosted page counts its own requests');
});

test(`the ${PER_PSPID + 1}th call in a minute for one PSPID is refused, whichever address sends it`, async () => {
  for (let i = 0; i < PER_PSPID; i++) assert.equal((await query(`203.0.113.${i + 1}`)).statusCode, 200);
  const refused = await query('203.0.113.200');
  assert.equal(refused.statusCode, 429);
  assert.equal(readNcResponse(refused.body).attributes.get('NCERROR'), '50001111');
});
