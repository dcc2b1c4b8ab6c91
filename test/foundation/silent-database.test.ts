import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createListener, createPool } from '../../src/db/index.ts';
import { buildTestApp } from '../support/app.ts';
import { silentRelay } from '../support/silent-relay.ts';

// A database connection that died without a word (a NAT or firewall dropped it: no reset, and writes
// still "succeed") must not hold a server's shutdown: node-postgres's end() waited for the socket to
// close, which on such a connection lasts until TCP gives up, minutes later (src/db/failover.ts,
// BoundedEndClient). Each connection here goes through a TCP relay that freezes.

const a = await buildTestApp();

test('a pool whose connections went silent ends within seconds', async () => {
  const relay = await silentRelay(a.database.url);
  after(() => relay.close());
  const pool = createPool(relay.url, 2);
  await Promise.all([pool.query('SELECT 1'), pool.query('SELECT 1')]);
  assert.ok(pool.idleCount >= 1, 'idle connections to end');
  relay.freeze();
  const started = performance.now();
  await pool.end();
  const took = performance.now() - started;
  assert.ok(took < 4_000, `pool.end() took ${Math.round(took)} ms`);
});

test('a LISTEN connection gone silent stops within seconds', async () => {
  const relay = await silentRelay(a.database.url);
  after(() => relay.close());
  let up = false;
  const listener = createListener({
    url: relay.url,
    channel: 'varco_test_silent',
    hooks: { onNotify: () => undefined, onUp: () => (up = true), onDown: () => undefined },
  });
  await listener.start();
  assert.ok(up && listener.listening);
  relay.freeze();
  const started = performance.now();
  await listener.stop();
  const took = performance.now() - started;
  assert.ok(took < 4_000, `stop() took ${Math.round(took)} ms`);
});
