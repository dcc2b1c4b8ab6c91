import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/index.ts';
import type { Services } from '../../src/app/container.ts';

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

/** Registers a test station with one public primary endpoint (https://HOST/node at IP:443); returns its id. */
export async function registerStation(
  services: Pick<Services, 'stations'>,
  organisationId: string,
  station: { code: string; host: string; ip: string },
  actor: Parameters<Services['stations']['register']>[3],
): Promise<string> {
  const registered = await services.stations.register(
    organisationId,
    'test',
    { code: station.code, primary: endpoint(`https://${station.host}/node`, station.ip, 443), secondary: endpoint('', '', '') },
    actor,
  );
  assert.ok(registered.ok, `station ${station.code} registered`);
  return registered.value.id;
}
