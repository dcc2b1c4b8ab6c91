import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import { newId } from '../../kernel/ids.ts';
import { sha256Hex } from '../../kernel/crypto.ts';
import type { Clock } from '../../kernel/clock.ts';

// Append-only, hash-chained audit log. Rows are written inside the caller's transaction, under a
// transaction-scoped advisory lock, so the chain has one order even with many Varco instances.

export interface AuditEntry {
  actorType: 'admin' | 'referent' | 'system' | 'cli' | 'anonymous' | 'subscription';
  actorId?: string | null;
  action: string;
  subjectType?: string | null;
  subjectId?: string | null;
  organisationId?: string | null;
  ip?: string | null;
  details?: Record<string, string | number | boolean | null>;
}

const GENESIS = '0'.repeat(64);
// Audit rows must never hold secrets; a detail named like one is a programming error.
const SECRET_NAME = /pass|secret|token|apikey|api_key|^key$|card|cvc|cookie/i;

function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

export interface AuditRowForHash {
  id: string;
  at: Date;
  actor_type: string;
  actor_id: string | null;
  action: string;
  subject_type: string | null;
  subject_id: string | null;
  organisation_id: string | null;
  ip: string | null;
  details: unknown;
}

export function auditHash(prevHash: string, row: AuditRowForHash): string {
  const body = canonical([row.id, row.at.toISOString(), row.actor_type, row.actor_id, row.action, row.subject_type,
    row.subject_id, row.organisation_id, row.ip, row.details]);
  return sha256Hex(`${prevHash}\n${body}`);
}

export async function appendAudit(trx: Kysely<Database>, entry: AuditEntry, clock: Clock): Promise<string> {
  if (!trx.isTransaction) throw new Error('appendAudit must run inside the transaction of the change it records');
  for (const name of Object.keys(entry.details ?? {})) {
    if (SECRET_NAME.test(name)) throw new Error(`Audit detail "${name}" looks like a secret and is refused`);
  }
  await sql`SELECT pg_advisory_xact_lock(hashtext('varco.audit'))`.execute(trx);
  const last = await trx.selectFrom('audit_log').select('hash').orderBy('seq', 'desc').limit(1).executeTakeFirst();
  const prevHash = last?.hash ?? GENESIS;
  const row: AuditRowForHash = {
    id: newId('aud'),
    at: clock.now(),
    actor_type: entry.actorType,
    actor_id: entry.actorId ?? null,
    action: entry.action,
    subject_type: entry.subjectType ?? null,
    subject_id: entry.subjectId ?? null,
    organisation_id: entry.organisationId ?? null,
    ip: entry.ip ?? null,
    details: entry.details ?? {},
  };
  const hash = auditHash(prevHash, row);
  await trx.insertInto('audit_log').values({ ...row, details: JSON.stringify(row.details), prev_hash: prevHash, hash }).execute();
  return row.id;
}

export type AuditVerdict = { ok: true; checked: number } | { ok: false; checked: number; seq: number; id: string; problem: string };

/** Walks the chain in order; reports the first row whose hash or link does not match. */
export async function verifyAuditChain(db: Kysely<Database>): Promise<AuditVerdict> {
  let prevHash = GENESIS;
  let checked = 0;
  let after = 0;
  for (;;) {
    const rows = await db.selectFrom('audit_log').selectAll().where('seq', '>', after).orderBy('seq').limit(1000).execute();
    if (rows.length === 0) return { ok: true, checked };
    for (const row of rows) {
      if (row.prev_hash !== prevHash) return { ok: false, checked, seq: row.seq, id: row.id, problem: 'link to the previous row is broken' };
      if (auditHash(prevHash, row) !== row.hash) return { ok: false, checked, seq: row.seq, id: row.id, problem: 'content does not match its hash' };
      prevHash = row.hash;
      checked++;
      after = row.seq;
    }
  }
}
