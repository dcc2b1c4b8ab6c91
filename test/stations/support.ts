import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/index.ts';

// Reading what the stations module left behind: queued e-mails and audit rows.

export interface QueuedMail {
  to: string;
  template: string;
  locale: string;
  params: Record<string, string>;
}

export async function mailsTo(db: Kysely<Database>, filter: { template?: string; to?: string } = {}): Promise<QueuedMail[]> {
  const rows = await db.selectFrom('outbox').select(['payload', 'created_at']).where('channel', '=', 'email').orderBy('created_at').execute();
  return rows
    .map((r) => r.payload as QueuedMail)
    .filter((m) => (filter.template === undefined || m.template === filter.template) && (filter.to === undefined || m.to === filter.to));
}

export async function auditActions(db: Kysely<Database>, subjectId: string): Promise<string[]> {
  const rows = await db.selectFrom('audit_log').select('action').where('subject_id', '=', subjectId).orderBy('seq').execute();
  return rows.map((r) => r.action);
}

export const endpoint = (url: string, ip: string, port: number | string) => ({ url, ip, port: String(port) });
