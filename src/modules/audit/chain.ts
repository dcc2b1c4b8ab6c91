import { deriveKey, hmacSha256Hex, sha256Hex } from '../../kernel/crypto.ts';

// How audit rows and checkpoints are hashed. Rows written before migration 0011 are plain SHA-256
// ('sha256'): anyone who can write to the database can recompute those. Rows since are HMAC-SHA-256
// under a key derived from the master key ('hmac-sha256'), which never enters the database, and each
// append signs a checkpoint with a second derived key. docs/adr/0015-audit-and-database-roles.md.

export const GENESIS = '0'.repeat(64);

export type AuditScheme = 'sha256' | 'hmac-sha256';

/** Keys derived from the master key; one per purpose, so a MAC of one kind never passes as the other. */
export interface AuditKeys {
  readonly chain: Buffer;
  readonly checkpoint: Buffer;
}

export function auditKeys(masterKey: Buffer): AuditKeys {
  return { chain: deriveKey(masterKey, 'varco audit chain v1'), checkpoint: deriveKey(masterKey, 'varco audit checkpoint v1') };
}

export function canonical(value: unknown): string {
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

function rowText(prevHash: string, row: AuditRowForHash): string {
  const body = canonical([
    row.id,
    row.at.toISOString(),
    row.actor_type,
    row.actor_id,
    row.action,
    row.subject_type,
    row.subject_id,
    row.organisation_id,
    row.ip,
    row.details,
  ]);
  return `${prevHash}\n${body}`;
}

/** The hash a row must carry under its scheme; the same text either way, keyed or not. */
export function rowHash(scheme: AuditScheme, keys: AuditKeys, prevHash: string, row: AuditRowForHash): string {
  const text = rowText(prevHash, row);
  return scheme === 'sha256' ? sha256Hex(text) : hmacSha256Hex(keys.chain, text);
}

export interface CheckpointForMac {
  audit_seq: number;
  hash: string;
  row_count: number;
  at: Date;
}

export function checkpointMac(keys: AuditKeys, checkpoint: CheckpointForMac): string {
  return hmacSha256Hex(
    keys.checkpoint,
    canonical(['varco-audit-checkpoint-v1', checkpoint.audit_seq, checkpoint.hash, checkpoint.row_count, checkpoint.at.toISOString()]),
  );
}
