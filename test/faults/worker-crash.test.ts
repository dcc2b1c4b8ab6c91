import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { sql } from 'kysely';
import { createTestDatabase } from '../support/db.ts';
import { testAudit } from '../support/app.ts';
import { childEnv, makeDataDir } from '../support/server-process.ts';
import { tempDevPki } from '../support/tls.ts';
import { systemClock } from '../../src/kernel/clock.ts';
import { enqueueHttpMessage } from '../../src/modules/delivery/index.ts';
import { createTrustService } from '../../src/modules/stations/index.ts';

// Issue 6, crash: 2,000 server-to-server deliveries pending, the worker process (`node
// src/main/worker.js`) killed with SIGKILL at a random moment and started again. Every delivery
// reaches a real HTTPS receiver (plain HTTPS: feedback carries no client certificate), at least once; a copy
// carries the same event id (and body) as the first; and pooled connections are reused (handshakes
// per worker process ≤ the pool size, not one per delivery).

const COUNT = 2000;
const POOL_SIZE = 10;
const root = resolve(import.meta.dirname, '../..');
const database = await createTestDatabase();
const { db } = database;
const dataDir = await makeDataDir();
const pki = await tempDevPki(['localhost']);
const children = new Set<ChildProcess>();
after(() => {
  for (const child of children) child.kill('SIGKILL');
});
const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

/** The merchant's server: plain HTTPS, as every feedback receiver (SHA-OUT authenticates the feedback). */
const received: Array<{ id: string; body: string }> = [];
let handshakes = 0;
const receiver = createServer({ cert: pki.server.chainPem, key: pki.server.keyPem }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    received.push({ id: String(req.headers['varco-event-id']), body: Buffer.concat(chunks).toString('utf8') });
    res.writeHead(200).end('OK');
  });
});
// Node's default keep-alive (5 s) would close the pooled connections while the restarted worker
// waits for the killed one's leases (5 s) to expire, and reopening them is right, not a pool leak.
// The receiver keeps them open longer, so the count measures reuse, as the bound intends.
receiver.keepAliveTimeout = 30_000;
receiver.on('secureConnection', () => {
  handshakes++;
});
await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
after(
  () =>
    new Promise<void>((done) => {
      receiver.closeAllConnections();
      receiver.close(() => done());
    }),
);
const port = (receiver.address() as AddressInfo).port;

function startWorker(): { child: ChildProcess; output: () => string; exited: Promise<NodeJS.Signals | null> } {
  const child = spawn(join(root, 'node_modules/.bin/node'), ['src/main/worker.js'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: childEnv({ DATABASE_URL: database.url, VARCO_DATA_DIR: dataDir, VARCO_OUTBOX_LEASE_SECONDS: '5', VARCO_LOG_LEVEL: 'warn' }),
  });
  children.add(child);
  let out = '';
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString('utf8');
  });
  child.stderr?.on('data', (c: Buffer) => {
    out += c.toString('utf8');
  });
  const exited = new Promise<NodeJS.Signals | null>((done) =>
    child.once('exit', (_code, signal) => {
      children.delete(child);
      done(signal);
    }),
  );
  return { child, output: () => out, exited };
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('2,000 deliveries, the worker killed with SIGKILL at a random moment and restarted: each arrives at least once, copies carry the same event id', async (t) => {
  // The receiver's certificate is issued by Varco's development CA: an administrator authorises it for `test`, for every organisation.
  assert.ok(
    (
      await createTrustService({ db, clock: systemClock, audit: testAudit() }).add(
        'test',
        pki.envs.test.caCertPem,
        { allOrganisations: true },
        { type: 'cli', id: null, ip: null },
      )
    ).ok,
  );
  const ids = await db.transaction().execute(async (trx) => {
    const out: string[] = [];
    for (let n = 0; n < COUNT; n++) {
      const { id } = await enqueueHttpMessage(trx, {
        env: 'test',
        method: 'POST',
        url: `https://localhost:${port}/feedback?orderID=o${n}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `orderID=o${n}&STATUS=9&PAYID=${3_000_000_000 + n}`,
        organisationId: null,
        subjectType: 'order',
        subjectId: `o${n}`,
      });
      out.push(id);
    }
    return out;
  });

  const killAfter = randomInt(20, COUNT - 200);
  const first = startWorker();
  await until(() => received.length >= killAfter, `${killAfter} deliveries before the kill\n${first.output()}`, 60_000);
  first.child.kill('SIGKILL');
  assert.equal(await first.exited, 'SIGKILL');
  const handshakesBefore = handshakes;
  const { rows: heldRows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM outbox WHERE state = 'pending' AND lease_owner IS NOT NULL`.execute(db);
  const held = heldRows[0]?.n ?? 0;
  const { rows: dbg } = await sql<{
    state: string;
    leased: boolean;
    n: number;
  }>`SELECT state, lease_owner IS NOT NULL AS leased, count(*)::int AS n FROM outbox GROUP BY 1, 2`.execute(db);
  t.diagnostic(`after kill: received ${received.length}; ${JSON.stringify(dbg)}`);

  const second = startWorker();
  const want = new Set(ids);
  const got = (): Set<string> => new Set(received.map((r) => r.id));
  await until(() => [...want].every((id) => got().has(id)), `every delivery after the restart (killed after ${killAfter})\n${second.output()}`, 60_000);
  await until(
    async () => (await db.selectFrom('outbox').select('id').where('state', '!=', 'delivered').execute()).length === 0,
    'all recorded delivered',
    20_000,
  );
  second.child.kill('SIGTERM');
  assert.equal(await second.exited, null, 'SIGTERM is a clean exit');

  for (const r of received) assert.ok(want.has(r.id), `unexpected event id ${r.id}`);
  const bodies = new Map<string, string>();
  for (const r of received) {
    const seen = bodies.get(r.id);
    if (seen === undefined) bodies.set(r.id, r.body);
    else assert.equal(r.body, seen, `a copy of ${r.id} differs from the first delivery`);
  }
  const duplicates = received.length - want.size;
  t.diagnostic(
    `killed after ${killAfter} deliveries; ${held} held at the kill; ${duplicates} duplicates; handshakes ${handshakesBefore} + ${handshakes - handshakesBefore}`,
  );
  // Only messages held (leased, not yet recorded) at the kill can arrive twice.
  assert.ok(duplicates <= held, `${duplicates} duplicates, ${held} held at the kill (killed after ${killAfter})`);
  assert.ok(
    handshakesBefore <= POOL_SIZE && handshakes - handshakesBefore <= POOL_SIZE,
    `TLS handshakes: ${handshakesBefore} before the kill, ${handshakes - handshakesBefore} after (pool size ${POOL_SIZE})`,
  );
});
