// While PostgreSQL cannot be reached the hosted page answers 503 with the generic page (Retry-After),
// never a 500; once it is back, entries work again. (Issue 6's restart test covers a real restart.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTestApp } from '../support/app.ts';
import { createMerchant, payLocation, postEntry, signedOrder } from '../support/ecommerce.ts';
import { createPool } from '../../src/db/index.ts';

const t = await buildTestApp();

test('no database: 503 and the generic page; back: the entry works', async () => {
  const m = await createMerchant(t);
  payLocation(await postEntry(t.app, signedOrder(m, 'db-1')));
  const admin = createPool(t.database.adminUrl, 1);
  try {
    // New connections are refused and the pool's current ones are cut: as during a restart.
    await admin.query(`ALTER DATABASE ${t.database.name} ALLOW_CONNECTIONS false`);
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [t.database.name]);
    for (const [i, page] of (['orderstandard.asp', 'orderstandard_utf8.asp'] as const).entries()) {
      t.services.hostedPage.configs.invalidate();
      const res = await postEntry(t.app, signedOrder(m, `db-down-${i}`), { page });
      assert.equal(res.statusCode, 503, res.body.slice(0, 300));
      assert.equal(res.headers['retry-after'], '5');
      assert.match(res.body, /An error has occurred/);
    }
  } finally {
    await admin.query(`ALTER DATABASE ${t.database.name} ALLOW_CONNECTIONS true`);
    await admin.end();
  }
  payLocation(await postEntry(t.app, signedOrder(m, 'db-2')));
});
