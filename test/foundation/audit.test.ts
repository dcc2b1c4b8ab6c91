import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createAuditLog, rowHash, auditKeys, verifyAuditChain, type AuditEntry, type AuditVerdict } from '../../src/modules/audit/index.ts';
import { fixedClock } from '../../src/kernel/clock.ts';
import { hmacSha256Hex } from '../../src/kernel/crypto.ts';
import { generateSecretboxKey } from '../../src/kernel/secretbox.ts';
import { sql, type Kysely } from 'kysely';
import { createKysely, createPool, type Database } from '../../src/db/index.ts';
import { createTestDatabase, tamper } from '../support/db.ts';

// The audit log is append-only and chained with an HMAC under a key derived from the master key:
// an edit, or the chain recomputed by someone without the key, is found by seq, and the signed
// checkpoint written with every append reveals deleted newest rows. The file works as Varco does,
// through the application role; edits behind Varco's back use the owner (superuser).

const { db, owner } = await createTestDatabase();
const clock = fixedClock(new Date('2026-11-23T09:00:00Z'));
const masterKey = generateSecretboxKey();
const audit = createAuditLog({ clock, masterKey });
const entry = (n: number): AuditEntry => ({
  actorType: 'system',
  action: `test.step_${n}`,
  subjectType: 'thing',
  subjectId: `thing_${n}`,
  details: { n, note: `row ${n}` },
});
const append = (n: number) => db.transaction().execute((trx) => audit.append(trx, entry(n)));

async function rows() {
  return db.selectFrom('audit_log').selectAll().orderBy('seq').execute();
}

function failure(verdict: AuditVerdict): Extract<AuditVerdict, { ok: false }> {
  assert.equal(verdict.ok, false, `expected a failure, got ${JSON.stringify(verdict)}`);
  return verdict as Extract<AuditVerdict, { ok: false }>;
}

/** Runs `change` as the owner with triggers off, checks the verdict, then puts the rows back as they were. */
async function whileTampered(change: Array<[string, unknown[]?]>, check: (verdict: AuditVerdict) => void): Promise<void> {
  const savedRows = await owner.query('SELECT * FROM audit_log');
  const savedCheckpoints = await owner.query('SELECT * FROM audit_checkpoints');
  await tamper(owner, change);
  try {
    check(await verifyAuditChain(db, masterKey));
  } finally {
    await tamper(owner, [
      ['DELETE FROM audit_log'],
      ['DELETE FROM audit_checkpoints'],
      ['INSERT INTO audit_log OVERRIDING SYSTEM VALUE SELECT * FROM json_populate_recordset(NULL::audit_log, $1)', [JSON.stringify(savedRows.rows)]],
      ['INSERT INTO audit_checkpoints SELECT * FROM json_populate_recordset(NULL::audit_checkpoints, $1)', [JSON.stringify(savedCheckpoints.rows)]],
    ]);
    assert.equal((await verifyAuditChain(db, masterKey)).ok, true, 'restored');
  }
}

test('rows appended in transactions chain with a keyed hash, each with a signed checkpoint, and the chain verifies', async () => {
  for (let n = 1; n <= 3; n++) {
    await append(n);
    clock.advance(1000);
  }
  // Several rows in one transaction chain as well.
  await db.transaction().execute(async (trx) => {
    await audit.append(trx, entry(4));
    await audit.append(trx, entry(5));
  });
  // Concurrent writers still produce one order (the advisory lock serialises them).
  await Promise.all([6, 7, 8].map(append));

  const all = await rows();
  assert.equal(all.length, 8);
  assert.equal(all[0]!.prev_hash, '0'.repeat(64));
  for (let i = 1; i < all.length; i++) assert.equal(all[i]!.prev_hash, all[i - 1]!.hash, `row ${all[i]!.seq} does not link to its predecessor`);
  assert.ok(all.every((r) => r.scheme === 'hmac-sha256'));
  // Keyed: the plain SHA-256 of a row's content is not its hash.
  assert.notEqual(all[0]!.hash, rowHash('sha256', auditKeys(masterKey), all[0]!.prev_hash, all[0]!));
  const newest = await db.selectFrom('audit_checkpoints').selectAll().orderBy('audit_seq', 'desc').limit(1).executeTakeFirstOrThrow();
  assert.deepEqual([newest.audit_seq, newest.hash, newest.row_count], [all[7]!.seq, all[7]!.hash, 8]);
  const verdict = await verifyAuditChain(db, masterKey);
  assert.ok(verdict.ok);
  assert.deepEqual([verdict.checked, verdict.unkeyed, verdict.checkpoint.count, verdict.checkpoint.signed], [8, 0, 8, true]);
});

test('a rolled-back transaction leaves no audit row and no checkpoint', async () => {
  const before = [(await rows()).length, (await db.selectFrom('audit_checkpoints').select('audit_seq').execute()).length];
  await assert.rejects(
    db.transaction().execute(async (trx) => {
      await audit.append(trx, entry(99));
      throw new Error('the change failed');
    }),
    /the change failed/,
  );
  assert.deepEqual([(await rows()).length, (await db.selectFrom('audit_checkpoints').select('audit_seq').execute()).length], before);
  assert.equal((await verifyAuditChain(db, masterKey)).ok, true);
});

test('append outside a transaction throws and writes nothing; a detail named like a secret is refused', async () => {
  const before = (await rows()).length;
  await assert.rejects(audit.append(db, entry(100)), /inside the transaction/);
  for (const name of ['password', 'newPassword', 'apiKey', 'secret', 'token', 'cardNumber', 'cvc', 'shaInPassphrase']) {
    await assert.rejects(
      db.transaction().execute((trx) => audit.append(trx, { ...entry(101), details: { [name]: 'x' } })),
      /looks like a secret/,
      name,
    );
  }
  assert.equal((await rows()).length, before);
});

test('details stored as jsonb hash as they are read back: an undefined, NaN or a Date that slipped past the types does not break the chain', async () => {
  const slipped = { gone: undefined, nan: Number.NaN, when: new Date('2026-11-23T09:00:00Z'), kept: 'yes' } as unknown as AuditEntry['details'];
  await db.transaction().execute((trx) => audit.append(trx, { actorType: 'system', action: 'test.slipped', details: slipped }));
  const verdict = await verifyAuditChain(db, masterKey);
  assert.equal(verdict.ok, true, JSON.stringify(verdict));
  const stored = await db.selectFrom('audit_log').select('details').where('action', '=', 'test.slipped').executeTakeFirstOrThrow();
  assert.deepEqual(stored.details, { nan: null, when: '2026-11-23T09:00:00.000Z', kept: 'yes' });
});

test('a detail holding half of a character (text cut inside an emoji) is stored well-formed and the chain verifies, never refused by jsonb', async () => {
  await db.transaction().execute((trx) => audit.append(trx, { actorType: 'system', action: 'test.half', details: { typed: 'ab\ud83d', whole: '\u{1F600}' } }));
  const verdict = await verifyAuditChain(db, masterKey);
  assert.equal(verdict.ok, true, JSON.stringify(verdict));
  const stored = await db.selectFrom('audit_log').select('details').where('action', '=', 'test.half').executeTakeFirstOrThrow();
  assert.deepEqual(stored.details, { typed: 'ab\uFFFD', whole: '\u{1F600}' });
});

test('a row edited behind the application is reported by its seq', async () => {
  const all = await rows();
  const middle = all[Math.floor(all.length / 2)]!;
  await whileTampered([[`UPDATE audit_log SET details = jsonb_set(details, '{note}', '"rewritten"') WHERE seq = $1`, [middle.seq]]], (verdict) => {
    const bad = failure(verdict);
    assert.deepEqual([bad.kind, bad.seq, bad.id, bad.checked], ['row', middle.seq, middle.id, all.indexOf(middle)]);
    assert.match(bad.problem, /does not match its keyed hash/);
  });
});

test('deleting the two newest rows is detected: rows missing after the newest that remains', async () => {
  const all = await rows();
  const kept = all[all.length - 3]!;
  await whileTampered([['DELETE FROM audit_log WHERE seq > $1', [kept.seq]]], (verdict) => {
    const bad = failure(verdict);
    assert.deepEqual([bad.kind, bad.seq, bad.id, bad.checked], ['missing', kept.seq, kept.id, all.length - 2]);
    assert.match(bad.problem, new RegExp(`rows missing after seq=${kept.seq}: the signed checkpoint .* counts ${all.length} rows`));
  });
});

test('the chain recomputed with plain SHA-256 fails, even with every row marked unkeyed', async () => {
  const all = await rows();
  const keys = auditKeys(masterKey);
  let prev = '0'.repeat(64);
  const rewrite: Array<[string, unknown[]]> = [];
  for (const row of all) {
    const hash = rowHash('sha256', keys, prev, row);
    rewrite.push(['UPDATE audit_log SET prev_hash = $2, hash = $3, scheme = $4 WHERE seq = $1', [row.seq, prev, hash, 'sha256']]);
    prev = hash;
  }
  // Plain hashes under the keyed scheme: the first row fails.
  await whileTampered(
    rewrite.map(([q, p]) => [q, [...p.slice(0, 3), 'hmac-sha256']]),
    (verdict) => {
      assert.deepEqual([failure(verdict).kind, failure(verdict).seq], ['row', all[0]!.seq]);
    },
  );
  // Marked unkeyed as well: every row passes as a legacy row, but the signed checkpoint does not match.
  await whileTampered(rewrite, (verdict) => assert.match(failure(verdict).problem, /does not match the checkpoint/));
  // …and with the signed checkpoints deleted, the rows are no longer covered by any checkpoint.
  await whileTampered([...rewrite, ['DELETE FROM audit_checkpoints WHERE mac IS NOT NULL']], (verdict) =>
    assert.match(failure(verdict).problem, /does not cover/),
  );
  // …and with every checkpoint gone, that is reported.
  await whileTampered([...rewrite, ['DELETE FROM audit_checkpoints']], (verdict) => assert.match(failure(verdict).problem, /no checkpoint/));
});

test('the chain recomputed with another key fails at its first row; so does verifying with another master key', async () => {
  const all = await rows();
  const other = auditKeys(generateSecretboxKey());
  let prev = '0'.repeat(64);
  const rewrite: Array<[string, unknown[]]> = [];
  for (const row of all) {
    const hash = rowHash('hmac-sha256', other, prev, row);
    rewrite.push(['UPDATE audit_log SET prev_hash = $2, hash = $3 WHERE seq = $1', [row.seq, prev, hash]]);
    prev = hash;
  }
  await whileTampered(rewrite, (verdict) => assert.deepEqual([failure(verdict).kind, failure(verdict).seq], ['row', all[0]!.seq]));
  assert.equal(failure(await verifyAuditChain(db, generateSecretboxKey())).seq, all[0]!.seq);
});

test('an unkeyed row inserted after keyed rows is a downgrade, even with a correct plain hash', async () => {
  const last = (await rows()).at(-1)!;
  const forged = {
    id: 'aud_forged',
    at: new Date(),
    actor_type: 'cli',
    actor_id: null,
    action: 'admin.created',
    subject_type: null,
    subject_id: null,
    organisation_id: null,
    ip: null,
    details: {},
  };
  const hash = rowHash('sha256', auditKeys(masterKey), last.hash, forged);
  // The application role may INSERT: what an injected statement could add.
  await db
    .insertInto('audit_log')
    .values({ ...forged, details: '{}', prev_hash: last.hash, hash, scheme: 'sha256' })
    .execute();
  const bad = failure(await verifyAuditChain(db, masterKey));
  assert.equal(bad.id, 'aud_forged');
  assert.match(bad.problem, /unkeyed .* after keyed rows/);
  await tamper(owner, [[`DELETE FROM audit_log WHERE id = 'aud_forged'`]]);
});

test('a checkpoint inserted without the key is refused by its signature', async () => {
  const last = (await rows()).at(-1)!;
  const cp = { audit_seq: last.seq + 1000, hash: last.hash, row_count: 1000, at: new Date(), mac: hmacSha256Hex('guess', 'x') };
  await db.insertInto('audit_checkpoints').values(cp).execute();
  assert.match(failure(await verifyAuditChain(db, masterKey)).problem, /signature is invalid/);
  await tamper(owner, [['DELETE FROM audit_checkpoints WHERE audit_seq = $1', [cp.audit_seq]]]);
  assert.equal((await verifyAuditChain(db, masterKey)).ok, true);
});

test('with repeatable read as the database default, appends from two pools still form one chain (no row chains to a head its snapshot missed)', async () => {
  // An operator's `ALTER DATABASE … SET default_transaction_isolation`: the snapshot of a transaction
  // would be taken at its first statement, before append waits for the lock.
  const other = await createTestDatabase();
  await other.owner.query(`ALTER DATABASE ${other.name} SET default_transaction_isolation = 'repeatable read'`);
  const second = createKysely(createPool(other.url, 3));
  after(() => second.destroy());
  const pools = [other.db, second];
  assert.equal((await sql<{ d: string }>`SELECT current_setting('default_transaction_isolation') AS d`.execute(second)).rows[0]?.d, 'repeatable read');
  /** A transaction that records a change (its first statement) and then appends. */
  const change = (pool: Kysely<Database>, n: number, between: () => Promise<void> = async () => undefined) =>
    pool.transaction().execute(async (trx) => {
      await trx.selectFrom('audit_log').select('seq').limit(1).execute();
      await between();
      return audit.append(trx, entry(n));
    });

  // In turn: the first transaction has begun when the second appends and commits.
  let begun!: () => void;
  let committed!: () => void;
  const hasBegun = new Promise<void>((resolve) => (begun = resolve));
  const hasCommitted = new Promise<void>((resolve) => (committed = resolve));
  const slow = change(other.db, 300, async () => {
    begun();
    await hasCommitted;
  });
  await hasBegun;
  try {
    await change(second, 301);
  } finally {
    // Never leaves the first transaction open, which would hold up dropping the database.
    committed();
    await slow;
  }
  // And at once, alternating pools, each waiting for the lock after its snapshot would have been taken.
  await Promise.all(Array.from({ length: 12 }, (_, i) => change(pools[i % 2]!, 310 + i)));

  const all = await other.db.selectFrom('audit_log').select(['seq', 'prev_hash', 'hash']).orderBy('seq').execute();
  assert.equal(new Set(all.map((r) => r.prev_hash)).size, all.length, 'two rows chain to the same predecessor');
  const verdict = await verifyAuditChain(other.db, masterKey);
  assert.ok(verdict.ok, JSON.stringify(verdict));
  // A transaction that asks for another level itself is refused, and writes nothing.
  for (const level of ['repeatable read', 'serializable'] as const) {
    await assert.rejects(
      other.db
        .transaction()
        .setIsolationLevel(level)
        .execute((trx) => audit.append(trx, entry(330))),
      new RegExp(`READ COMMITTED transaction, not ${level}`),
    );
  }
  assert.equal((await other.db.selectFrom('audit_log').select('seq').execute()).length, all.length);
});
