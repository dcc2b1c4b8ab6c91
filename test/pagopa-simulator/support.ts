import { randomInt } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/index.ts';
import { newId } from '../../src/kernel/ids.ts';
import type { ScenarioInput, TransferInput } from '../../src/modules/pagopa-simulator/index.ts';
import { padTransfers } from '../../src/modules/pagopa-simulator/index.ts';

// Institutions and scenario forms for the simulator's tests.

/** A random Italian fiscal code of a legal entity (11 digits with its check digit). */
export function fiscalCode(): string {
  const body = Array.from({ length: 10 }, () => randomInt(10)).join('');
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    const d = Number(body[i]);
    sum += i % 2 === 0 ? d : d * 2 > 9 ? d * 2 - 9 : d * 2;
  }
  return `${body}${(10 - (sum % 10)) % 10}`;
}

/** A creditor institution (as `varco org create --type creditor_institution` makes one). */
export async function createEc(db: Kysely<Database>, name: string): Promise<{ id: string; fiscalCode: string; name: string }> {
  const id = newId('org');
  const code = fiscalCode();
  await db
    .insertInto('organisations')
    .values({ id, name, tax_code: code, tax_code_kind: 'it', type: 'creditor_institution', contact_email: 'ec@ente.test' })
    .execute();
  return { id, fiscalCode: code, name };
}

export const transferRow = (amount: string, fiscal: string): TransferInput => ({
  amount,
  fiscalCode: fiscal,
  iban: 'IT60X0542811101000000123456',
  remittance: 'Quota',
  category: '9/0101108TS/',
});

/** A payable scenario as the form sends it. */
export function scenarioForm(pattern: string, ec: string, extra: Partial<ScenarioInput> = {}): ScenarioInput {
  return {
    pattern,
    answer: 'payable',
    amount: '120.00',
    description: 'Avviso di prova',
    companyName: '',
    dueDate: '',
    transfers: padTransfers([transferRow('120.00', ec)]),
    delayMs: '0',
    delayOn: [],
    malformedOn: [],
    refuseReceipts: '0',
    refuseWith: 'ko',
    ...extra,
  };
}

/** The same as form fields (`t1Amount`, …), for posting the portal page. */
export function formFields(input: ScenarioInput): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {
    pattern: input.pattern,
    answer: input.answer,
    amount: input.amount,
    description: input.description,
    companyName: input.companyName,
    dueDate: input.dueDate,
    delayMs: input.delayMs,
    delayOn: input.delayOn,
    malformedOn: input.malformedOn,
    refuseReceipts: input.refuseReceipts,
    refuseWith: input.refuseWith,
  };
  input.transfers.forEach((t, i) => {
    Object.assign(fields, {
      [`t${i + 1}Amount`]: t.amount,
      [`t${i + 1}FiscalCode`]: t.fiscalCode,
      [`t${i + 1}Iban`]: t.iban,
      [`t${i + 1}Remittance`]: t.remittance,
      [`t${i + 1}Category`]: t.category,
    });
  });
  return fields;
}
