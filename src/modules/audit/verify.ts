import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import { safeEqual } from '../../kernel/crypto.ts';
import { auditKeys, checkpointMac, GENESIS, rowHash, type AuditKeys } from './chain.ts';

// `varco audit verify`: walks the chain in order, then compares its end with the newest checkpoint.
// A row edited, or the chain recomputed without the master key, fails its hash; deleting the newest
// rows leaves a valid but shorter chain, which the signed checkpoint no longer matches.

export interface CheckpointSummary {
  seq: number;
  count: number;
  hash: string;
  at: string;
  signed: boolean;
}

export type AuditVerdict =
  | { ok: true; checked: number; unkeyed: number; checkpoint: CheckpointSummary }
  /** kind 'row': seq/id name the first bad row; 'missing': the last row present (seq 0: none); 'checkpoint': the newest checkpoint's seq. */
  | { ok: false; kind: 'row' | 'missing' | 'checkpoint'; checked: number; seq: number; id: string | null; problem: string };

type Failure = Extract<AuditVerdict, { ok: false }>;

interface Walked {
  checked: number;
  unkeyed: number;
  last: { seq: number; id: string; hash: string } | undefined;
}

const PAGE = 1000;

async function walkChain(db: Kysely<Database>, keys: AuditKeys): Promise<Walked | Failure> {
  const walked: Walked = { checked: 0, unkeyed: 0, last: undefined };
  let prevHash = GENESIS;
  for (;;) {
    const rows = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '>', walked.last?.seq ?? 0)
      .orderBy('seq')
      .limit(PAGE)
      .execute();
    if (rows.length === 0) return walked;
    for (const row of rows) {
      const bad = (problem: string): Failure => ({ ok: false, kind: 'row', checked: walked.checked, seq: row.seq, id: row.id, problem });
      if (row.prev_hash !== prevHash) return bad('link to the previous row is broken');
      if (row.scheme !== 'sha256' && row.scheme !== 'hmac-sha256') return bad(`unknown hash scheme "${String(row.scheme)}"`);
      // No downgrade: once rows are keyed, a plain row can only be a rewrite by someone without the key.
      if (row.scheme === 'sha256' && walked.checked > walked.unkeyed)
        return bad('an unkeyed (plain SHA-256) row after keyed rows: rewritten without the master key');
      if (!safeEqual(rowHash(row.scheme, keys, prevHash, row), row.hash)) {
        return bad(
          row.scheme === 'sha256' ? 'content does not match its hash' : 'content does not match its keyed hash: edited, or written without the master key',
        );
      }
      prevHash = row.hash;
      walked.checked++;
      if (row.scheme === 'sha256') walked.unkeyed++;
      walked.last = { seq: row.seq, id: row.id, hash: row.hash };
    }
  }
}

async function compareWithCheckpoint(db: Kysely<Database>, keys: AuditKeys, walked: Walked): Promise<AuditVerdict> {
  const cp = await db.selectFrom('audit_checkpoints').selectAll().orderBy('audit_seq', 'desc').limit(1).executeTakeFirst();
  const lastSeq = walked.last?.seq ?? 0;
  const fail = (kind: Failure['kind'], seq: number, id: string | null, problem: string): Failure => ({
    ok: false,
    kind,
    checked: walked.checked,
    seq,
    id,
    problem,
  });
  if (!cp) return fail('checkpoint', 0, null, 'no checkpoint at all: the checkpoint table was emptied');
  const keyed = walked.checked > walked.unkeyed;
  if (cp.mac === null && keyed)
    return fail('checkpoint', cp.audit_seq, null, 'the newest checkpoint is unsigned although keyed rows exist: signed checkpoints were deleted');
  if (cp.mac !== null && !safeEqual(checkpointMac(keys, cp), cp.mac)) {
    return fail('checkpoint', cp.audit_seq, null, "the newest checkpoint's signature is invalid: forged, or signed with another master key");
  }
  const described = `the ${cp.mac === null ? 'unsigned checkpoint of the upgrade' : 'signed checkpoint'} of ${cp.at.toISOString()} counts ${cp.row_count} rows up to seq ${cp.audit_seq}, the log has ${walked.checked}`;
  if (lastSeq < cp.audit_seq || walked.checked < cp.row_count)
    return fail('missing', lastSeq, walked.last?.id ?? null, `rows missing after seq=${lastSeq}: ${described}`);
  if (lastSeq > cp.audit_seq || walked.checked > cp.row_count) {
    const first = await db.selectFrom('audit_log').select(['seq', 'id']).where('seq', '>', cp.audit_seq).orderBy('seq').limit(1).executeTakeFirst();
    return fail('row', first?.seq ?? lastSeq, first?.id ?? null, `rows the newest checkpoint does not cover: written around Varco (${described})`);
  }
  if (!safeEqual(walked.last?.hash ?? GENESIS, cp.hash))
    return fail('checkpoint', cp.audit_seq, walked.last?.id ?? null, `the newest row does not match the checkpoint's hash (${described})`);
  return {
    ok: true,
    checked: walked.checked,
    unkeyed: walked.unkeyed,
    checkpoint: { seq: cp.audit_seq, count: cp.row_count, hash: cp.hash, at: cp.at.toISOString(), signed: cp.mac !== null },
  };
}

/** The whole log in one consistent snapshot (appends commit a row and its checkpoint together). */
function verifyIn(db: Kysely<Database>, masterKey: Buffer, exclusive: boolean): Promise<AuditVerdict | 'busy'> {
  const keys = auditKeys(masterKey);
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      if (exclusive) {
        const { rows } = await sql<{ got: boolean }>`SELECT pg_try_advisory_xact_lock(hashtext('varco.audit.verify')) AS got`.execute(trx);
        if (rows[0]?.got !== true) return 'busy';
      }
      const walked = await walkChain(trx, keys);
      return 'ok' in walked ? walked : compareWithCheckpoint(trx, keys, walked);
    });
}

/** Verifies the whole log (`varco audit verify`): always runs. */
export async function verifyAuditChain(db: Kysely<Database>, masterKey: Buffer): Promise<AuditVerdict> {
  const verdict = await verifyIn(db, masterKey, false);
  if (verdict === 'busy') throw new Error('unreachable: a non-exclusive check never reports busy');
  return verdict;
}

/**
 * The back office's check: 'busy' while another one runs on any instance, so a walk of the whole log per
 * click (reloads, several administrators) cannot pile up on the database.
 */
export function tryVerifyAuditChain(db: Kysely<Database>, masterKey: Buffer): Promise<AuditVerdict | 'busy'> {
  return verifyIn(db, masterKey, true);
}
