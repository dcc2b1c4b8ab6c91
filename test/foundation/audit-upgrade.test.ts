import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createKysely, createPool, loadMigrations, migrate } from '../../src/db/index.ts';
import { auditKeys, createAuditLog, GENESIS, rowHash, verifyAuditChain, type AuditRowForHash } from '../../src/modules/audit/index.ts';
import { systemClock } from '../../src/kernel/clock.ts';
import { generateSecretboxKey } from '../../src/kernel/secretbox.ts';
import { createEmptyDatabase, tamper } from '../support/db.ts';

// An install upgraded from a Varco whose audit rows were plain SHA-256: those rows keep verifying
// (they carry their scheme), the upgrade's unsigned checkpoint still sees rows deleted from them,
// and keyed rows follow them in the same chain.

const KEYED_FROM = (await loadMigrations()).find((m) => m.name === 'audit_keyed_chain')!.version;
const masterKey = generateSecretboxKey();

/** A database at the version before the keyed chain with `count` rows as that version wrote them. */
async function legacyDatabase(count: number) {
  const { url } = await createEmptyDatabase();
  const pool = createPool(url, 2);
  const db = createKysely(pool);
  await migrate(pool, { target: KEYED_FROM - 1 });
  let prev = GENESIS;
  for (let n = 1; n <= count; n++) {
    const row: AuditRowForHash = {
      id: `aud_legacy_${n}`,
      at: new Date(Date.UTC(2026, 0, n)),
      actor_type: 'cli',
      actor_id: null,
      action: 'organisation.created',
      subject_type: 'organisation',
      subject_id: `org_${n}`,
      organisation_id: `org_${n}`,
      ip: null,
      details: { name: `Org ${n}` },
    };
    const hash = rowHash('sha256', auditKeys(masterKey), prev, row);
    await pool.query(
      'INSERT INTO audit_log (id, at, actor_type, actor_id, action, subject_type, subject_id, organisation_id, ip, details, prev_hash, hash) ' +
        'VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)',
      [
        row.id,
        row.at,
        row.actor_type,
        row.actor_id,
        row.action,
        row.subject_type,
        row.subject_id,
        row.organisation_id,
        row.ip,
        JSON.stringify(row.details),
        prev,
        hash,
      ],
    );
    prev = hash;
  }
  await migrate(pool);
  return { pool, db, close: () => db.destroy() };
}

test('plain-hash rows written before the upgrade verify, and keyed rows chain after them', async () => {
  const legacy = await legacyDatabase(4);
  try {
    const before = await verifyAuditChain(legacy.db, masterKey);
    assert.ok(before.ok, JSON.stringify(before));
    assert.deepEqual([before.checked, before.unkeyed, before.checkpoint.count, before.checkpoint.signed], [4, 4, 4, false]);

    const audit = createAuditLog({ clock: systemClock, masterKey });
    for (let n = 0; n < 2; n++) await legacy.db.transaction().execute((trx) => audit.append(trx, { actorType: 'system', action: 'test.after_upgrade' }));
    const after = await verifyAuditChain(legacy.db, masterKey);
    assert.ok(after.ok, JSON.stringify(after));
    assert.deepEqual([after.checked, after.unkeyed, after.checkpoint.count, after.checkpoint.signed], [6, 4, 6, true]);
    const rows = await legacy.db.selectFrom('audit_log').select(['scheme', 'prev_hash', 'hash']).orderBy('seq').execute();
    assert.deepEqual(
      rows.map((r) => r.scheme),
      ['sha256', 'sha256', 'sha256', 'sha256', 'hmac-sha256', 'hmac-sha256'],
    );
    assert.equal(rows[4]!.prev_hash, rows[3]!.hash, 'the first keyed row links to the last plain one');
  } finally {
    await legacy.close();
  }
});

test("before any keyed row, deleting the newest plain rows is still detected by the upgrade's checkpoint", async () => {
  const legacy = await legacyDatabase(3);
  try {
    await tamper(legacy.pool, [["DELETE FROM audit_log WHERE id = 'aud_legacy_3'"]]);
    const verdict = await verifyAuditChain(legacy.db, masterKey);
    assert.equal(verdict.ok, false);
    if (verdict.ok) return;
    assert.equal(verdict.kind, 'missing');
    assert.match(verdict.problem, /rows missing after seq=2: the unsigned checkpoint of the upgrade .* counts 3 rows/);
  } finally {
    await legacy.close();
  }
});

test('a writer that does not name the scheme (an older Varco during an upgrade) is refused', async () => {
  const legacy = await legacyDatabase(1);
  try {
    await assert.rejects(
      legacy.pool.query(`INSERT INTO audit_log (id, at, actor_type, action, prev_hash, hash) VALUES ('aud_old', now(), 'cli', 'x', $1, $1)`, ['0'.repeat(64)]),
      /scheme/,
    );
  } finally {
    await legacy.close();
  }
});
