import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/index.ts';
import { validateEnvelopes, type Named } from './pagopa-xsd.ts';

// Every message Varco EMITTED, as the exchange log kept it: its answers to PSPs (inbound rows'
// responses) and its requests to EC stations (outbound rows' requests). A SOAP Client fault (no
// operation could be named) is not a message of the schemas and is left out.

export async function emittedMessages(db: Kysely<Database>): Promise<Named[]> {
  const rows = await db.selectFrom('pagopa_exchanges').select(['id', 'direction', 'operation', 'request', 'response', 'fault_code']).orderBy('at').execute();
  const messages: Named[] = [];
  for (const row of rows) {
    if (row.direction === 'out') messages.push({ name: `${row.id} ${row.operation} request to the EC`, xml: row.request });
    else if (row.operation !== '' && row.response !== null)
      messages.push({ name: `${row.id} ${row.operation} answer ${row.fault_code ?? 'OK'}`, xml: row.response });
  }
  return messages;
}

/** Validates them all against the official XSD; returns how many there were (and of which kinds). */
export async function assertEmittedValid(db: Kysely<Database>): Promise<{ count: number; names: string[] }> {
  const messages = await emittedMessages(db);
  const errors = await validateEnvelopes(messages);
  assert.deepEqual(
    [...errors].filter(([, e]) => e.length > 0),
    [],
    'every emitted message validates against the official XSD',
  );
  return { count: messages.length, names: messages.map((m) => m.name) };
}
