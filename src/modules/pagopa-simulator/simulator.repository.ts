import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { Scenario } from './scenario.types.ts';

// SQL of the simulator's two tables. Only the test environment exists here (a CHECK in 0015).

export interface SimulatorRow {
  organisation_id: string;
  enabled: boolean;
  primitive_version: 1 | 2;
  scenarios: Scenario[];
  version: number;
  updated_at: Date;
}

/** What a simulator is set to: what a call uses and what a change starts from (without its bookkeeping). */
export type SimulatorSettings = Pick<SimulatorRow, 'enabled' | 'primitive_version' | 'scenarios'>;

export const settingsOf = (r: SimulatorRow): SimulatorSettings => ({ enabled: r.enabled, primitive_version: r.primitive_version, scenarios: r.scenarios });

const COLUMNS = ['organisation_id', 'enabled', 'primitive_version', 'scenarios', 'version', 'updated_at'] as const;

// The column is written only by this module, from validated scenarios; an array is all we check here.
const toRow = (r: {
  organisation_id: string;
  enabled: boolean;
  primitive_version: 1 | 2;
  scenarios: unknown;
  version: number;
  updated_at: Date;
}): SimulatorRow => ({ ...r, scenarios: Array.isArray(r.scenarios) ? (r.scenarios as Scenario[]) : [] });

export async function findSimulator(db: Kysely<Database>, organisationId: string): Promise<SimulatorRow | undefined> {
  const row = await db
    .selectFrom('pagopa_simulators')
    .select(COLUMNS)
    .where('organisation_id', '=', organisationId)
    .where('environment', '=', 'test')
    .executeTakeFirst();
  return row ? toRow(row) : undefined;
}

/** The EC's row, created switched off when missing, locked until the transaction ends. */
export async function lockSimulator(trx: Kysely<Database>, organisationId: string, now: Date): Promise<SimulatorRow> {
  await trx
    .insertInto('pagopa_simulators')
    .values({ organisation_id: organisationId, created_at: now, updated_at: now })
    .onConflict((oc) => oc.columns(['organisation_id', 'environment']).doNothing())
    .execute();
  const row = await trx
    .selectFrom('pagopa_simulators')
    .select(COLUMNS)
    .where('organisation_id', '=', organisationId)
    .where('environment', '=', 'test')
    .forUpdate()
    .executeTakeFirstOrThrow();
  return toRow(row);
}

export async function saveSimulator(trx: Kysely<Database>, row: Omit<SimulatorRow, 'updated_at'>, now: Date): Promise<void> {
  await trx
    .updateTable('pagopa_simulators')
    .set({ enabled: row.enabled, primitive_version: row.primitive_version, scenarios: JSON.stringify(row.scenarios), version: row.version, updated_at: now })
    .where('organisation_id', '=', row.organisation_id)
    .where('environment', '=', 'test')
    .execute();
}

export async function listSimulators(db: Kysely<Database>): Promise<SimulatorRow[]> {
  const rows = await db.selectFrom('pagopa_simulators').select(COLUMNS).where('environment', '=', 'test').orderBy('updated_at', 'desc').execute();
  return rows.map(toRow);
}

/**
 * Counts one more delivery of a receipt and returns the count including it: one statement, so
 * concurrent deliveries (several Varco processes) each get their own number.
 */
export async function countDelivery(
  db: Kysely<Database>,
  input: { organisationId: string; receiptKey: string; noticeNumber: string; at: Date },
): Promise<number> {
  const row = await db
    .insertInto('pagopa_simulator_receipts')
    .values({
      organisation_id: input.organisationId,
      receipt_key: input.receiptKey,
      notice_number: input.noticeNumber,
      deliveries: 1,
      first_at: input.at,
      last_at: input.at,
    })
    .onConflict((oc) =>
      oc
        .columns(['organisation_id', 'environment', 'receipt_key'])
        .doUpdateSet({ deliveries: sql<number>`pagopa_simulator_receipts.deliveries + 1`, last_at: input.at }),
    )
    .returning('deliveries')
    .executeTakeFirstOrThrow();
  return row.deliveries;
}

export async function deliveriesOf(db: Kysely<Database>, organisationId: string, receiptKey: string): Promise<number> {
  const row = await db
    .selectFrom('pagopa_simulator_receipts')
    .select('deliveries')
    .where('organisation_id', '=', organisationId)
    .where('environment', '=', 'test')
    .where('receipt_key', '=', receiptKey)
    .executeTakeFirst();
  return row?.deliveries ?? 0;
}
