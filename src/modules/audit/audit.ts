import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import { newId } from '../../kernel/ids.ts';
import { jsonbText } from '../../kernel/storable.ts';
import type { Clock } from '../../kernel/clock.ts';
import { auditKeys, checkpointMac, GENESIS, rowHash, type AuditRowForHash } from './chain.ts';

// Append-only, keyed hash chain. Rows are written inside the caller's transaction, under a
// transaction-scoped advisory lock, so the chain has one order even with many Varco instances; each
// append also writes the signed checkpoint that lets `varco audit verify` see deleted newest rows.

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

/** Writes audit rows; made once per process from the clock and the master key, passed to services. */
export interface AuditLog {
  /** Appends inside `trx` (the transaction of the change it records); returns the row id. */
  append(trx: Kysely<Database>, entry: AuditEntry): Promise<string>;
}

// Audit rows must never hold secrets; a detail named like one is a programming error.
const SECRET_NAME = /pass|secret|token|apikey|api_key|^key$|card|cvc|cookie/i;

export function createAuditLog(options: { clock: Clock; masterKey: Buffer }): AuditLog {
  const { clock } = options;
  // Derived once: the master key itself is not kept by this object.
  const keys = auditKeys(options.masterKey);
  return {
    append: async (trx, entry) => {
      if (!trx.isTransaction) throw new Error('An audit row must be appended inside the transaction of the change it records');
      for (const name of Object.keys(entry.details ?? {})) {
        if (SECRET_NAME.test(name)) throw new Error(`Audit detail "${name}" looks like a secret and is refused`);
      }
      // The head is read after the lock, so it must be read with a snapshot taken after the lock: under
      // REPEATABLE READ or SERIALIZABLE the snapshot dates from the transaction's first statement, the
      // head could miss a row committed while this one waited, and two rows would chain to one
      // predecessor. Varco's transactions begin READ COMMITTED (src/db/connection.ts); one that asked
      // for another level is refused rather than forking the chain.
      const { rows } = await sql<{ isolation: string }>`SELECT current_setting('transaction_isolation') AS isolation,
        pg_advisory_xact_lock(hashtext('varco.audit'))`.execute(trx);
      const isolation = rows[0]?.isolation;
      if (isolation !== 'read committed') throw new Error(`An audit row must be appended in a READ COMMITTED transaction, not ${String(isolation)}`);
      const last = await trx.selectFrom('audit_log').select('hash').orderBy('seq', 'desc').limit(1).executeTakeFirst();
      const counted = await trx.selectFrom('audit_checkpoints').select('row_count').orderBy('audit_seq', 'desc').limit(1).executeTakeFirst();
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
        // Hashed as PostgreSQL will give it back to verify (jsonb keeps what JSON keeps): a value the
        // types let slip (undefined, NaN, a Date through a cast) would otherwise hash differently from
        // the stored row and break the chain for good. Texts well-formed: one cut inside a character
        // (a typed address kept to 254 UTF-16 units) holds half a surrogate pair, which jsonb refuses.
        details: JSON.parse(jsonbText(entry.details ?? {})) as Record<string, string | number | boolean | null>,
      };
      const hash = rowHash('hmac-sha256', keys, prevHash, row);
      const { seq } = await trx
        .insertInto('audit_log')
        .values({ ...row, details: JSON.stringify(row.details), prev_hash: prevHash, hash, scheme: 'hmac-sha256' })
        .returning('seq')
        .executeTakeFirstOrThrow();
      // A missing checkpoint (the table emptied behind Varco's back) restarts the count; verify
      // reports that mismatch rather than the writer refusing every change.
      const checkpoint = { audit_seq: seq, hash, row_count: (counted?.row_count ?? 0) + 1, at: row.at };
      await trx
        .insertInto('audit_checkpoints')
        .values({ ...checkpoint, mac: checkpointMac(keys, checkpoint) })
        .execute();
      return row.id;
    },
  };
}
