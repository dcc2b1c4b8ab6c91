// Pure validation of a scenario typed in the portal: every field is checked and every problem is
// reported at once, with the field it belongs to, so the page can show them all next to the inputs.
// A scenario that passes is guaranteed to encode to XSD-valid answers (answer.policy.ts).
import { isEcFiscalCode } from '../../protocols/pagopa/index.ts';
import { normalisePattern } from './pattern.ts';
import {
  MAX_DELAY_MS,
  MAX_REFUSALS,
  MAX_TRANSFERS,
  NOTICE_ANSWERS,
  PRIMITIVES,
  REFUSALS,
  type NoticeAnswer,
  type PaymentSpec,
  type Primitive,
  type RefuseWith,
  type Scenario,
  type TransferSpec,
} from './scenario.types.ts';

export interface TransferInput {
  amount: string;
  fiscalCode: string;
  iban: string;
  remittance: string;
  category: string;
}

/** A scenario as typed: text fields, transfer rows (empty rows are ignored), checkbox values. */
export interface ScenarioInput {
  pattern: string;
  answer: string;
  amount: string;
  description: string;
  companyName: string;
  dueDate: string;
  transfers: TransferInput[];
  delayMs: string;
  delayOn: string[];
  malformedOn: string[];
  refuseReceipts: string;
  refuseWith: string;
}

export type ScenarioProblemCode =
  | 'pattern_invalid'
  | 'pattern_duplicate'
  | 'answer_invalid'
  | 'amount_invalid'
  | 'description_invalid'
  | 'company_name_invalid'
  | 'due_date_invalid'
  | 'transfers_missing'
  | 'transfers_too_many'
  | 'transfer_amount_invalid'
  | 'transfer_fiscal_code_invalid'
  | 'transfer_iban_invalid'
  | 'transfer_remittance_invalid'
  | 'transfer_category_invalid'
  | 'transfers_sum'
  | 'delay_invalid'
  | 'delay_on_required'
  | 'primitive_invalid'
  | 'refusals_invalid'
  | 'refuse_with_invalid'
  /** Of the settings form, not of a scenario: the version is neither 1 nor 2. */
  | 'primitive_version_invalid';

export interface ScenarioProblem {
  /** The form field: `pattern`, `amount`, … and `t1Amount`, `t2Iban`, … for transfer rows. */
  field: string;
  code: ScenarioProblemCode;
  params?: Record<string, string>;
}

const AMOUNT = /^(\d{1,9})(?:[.,](\d{1,2}))?$/;
const IBAN = /^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/;
/** Characters XML 1.0 cannot carry, and other controls nobody means to put in a notice. */
export function isForbiddenCharacter(c: string): boolean {
  const code = c.codePointAt(0) ?? 0;
  return code < 0x20 || code === 0x7f || code === 0xfffe || code === 0xffff;
}
const hasForbidden = (s: string): boolean => [...s].some(isForbiddenCharacter);

/** `100`, `100.5`, `100,50` → cents; undefined otherwise (at most 999,999,999.99). */
export function parseEuros(text: string): number | undefined {
  const m = AMOUNT.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

/** Cents → `100.00`, as the form shows amounts. */
export function formatEuros(cents: number): string {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

const length = (s: string): number => [...s].length;
const textOk = (s: string, min: number, max: number): boolean => length(s) >= min && length(s) <= max && !hasForbidden(s);

function validDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return Number(m[1]) >= 2000 && d.toISOString().slice(0, 10) === text;
}

const isRowEmpty = (t: TransferInput): boolean => Object.values(t).every((v) => v.trim() === '');

function transferSpecs(rows: TransferInput[], problems: ScenarioProblem[]): TransferSpec[] {
  const filled = rows.map((row, i) => ({ row, n: i + 1 })).filter(({ row }) => !isRowEmpty(row));
  if (filled.length === 0) problems.push({ field: 't1Amount', code: 'transfers_missing' });
  if (filled.length > MAX_TRANSFERS) problems.push({ field: 'transfers', code: 'transfers_too_many', params: { max: String(MAX_TRANSFERS) } });
  return filled.slice(0, MAX_TRANSFERS).map(({ row, n }) => {
    const at = (name: string, code: ScenarioProblemCode) => problems.push({ field: `t${n}${name}`, code, params: { n: String(n) } });
    const amountCents = parseEuros(row.amount) ?? 0;
    if (amountCents < 1) at('Amount', 'transfer_amount_invalid');
    const fiscalCode = row.fiscalCode.trim();
    if (!isEcFiscalCode(fiscalCode)) at('FiscalCode', 'transfer_fiscal_code_invalid');
    const iban = row.iban.replace(/\s+/g, '').toUpperCase();
    if (!IBAN.test(iban)) at('Iban', 'transfer_iban_invalid');
    const remittance = row.remittance.trim();
    if (!textOk(remittance, 1, 140)) at('Remittance', 'transfer_remittance_invalid');
    const category = row.category.trim();
    if (!textOk(category, 1, 140)) at('Category', 'transfer_category_invalid');
    return { amountCents, fiscalCode, iban, remittance, category };
  });
}

function paymentSpec(input: ScenarioInput, problems: ScenarioProblem[]): PaymentSpec {
  const amountCents = parseEuros(input.amount) ?? 0;
  if (amountCents < 1) problems.push({ field: 'amount', code: 'amount_invalid' });
  const description = input.description.trim();
  if (!textOk(description, 1, 140)) problems.push({ field: 'description', code: 'description_invalid' });
  const companyName = input.companyName.trim();
  if (!textOk(companyName, 0, 140)) problems.push({ field: 'companyName', code: 'company_name_invalid' });
  const dueDate = input.dueDate.trim();
  if (dueDate !== '' && !validDate(dueDate)) problems.push({ field: 'dueDate', code: 'due_date_invalid' });
  const transfers = transferSpecs(input.transfers, problems);
  const sum = transfers.reduce((acc, t) => acc + t.amountCents, 0);
  const rowsOk = !problems.some((p) => p.code === 'transfer_amount_invalid' || p.code === 'amount_invalid');
  if (rowsOk && transfers.length > 0 && sum !== amountCents) {
    // In cents: the page writes them as its language writes money.
    problems.push({ field: 'transfers', code: 'transfers_sum', params: { sumCents: String(sum), amountCents: String(amountCents) } });
  }
  return { amountCents, description, ...(companyName ? { companyName } : {}), ...(dueDate ? { dueDate } : {}), transfers };
}

function primitives(values: string[], field: string, problems: ScenarioProblem[]): Primitive[] {
  if (values.some((v) => !(PRIMITIVES as readonly string[]).includes(v))) problems.push({ field, code: 'primitive_invalid' });
  // Kept in the catalogue's order, each once, whatever order the form sent.
  return PRIMITIVES.filter((p) => values.includes(p));
}

function wholeNumber(text: string, max: number): number | undefined {
  const t = text.trim() === '' ? '0' : text.trim();
  return /^\d{1,6}$/.test(t) && Number(t) <= max ? Number(t) : undefined;
}

/**
 * The scenario, or every problem found. `otherPatterns` are the patterns of the EC's other
 * scenarios: the same pattern twice is refused (the second could never answer).
 */
export function validateScenario(
  input: ScenarioInput,
  id: string,
  otherPatterns: readonly string[],
): { ok: true; scenario: Scenario } | { ok: false; problems: ScenarioProblem[] } {
  const problems: ScenarioProblem[] = [];
  const pattern = normalisePattern(input.pattern);
  if (pattern === undefined) problems.push({ field: 'pattern', code: 'pattern_invalid' });
  else if (otherPatterns.includes(pattern)) problems.push({ field: 'pattern', code: 'pattern_duplicate' });
  const answer = (NOTICE_ANSWERS as readonly string[]).includes(input.answer) ? (input.answer as NoticeAnswer) : undefined;
  if (!answer) problems.push({ field: 'answer', code: 'answer_invalid' });
  const payment = answer === 'payable' ? paymentSpec(input, problems) : undefined;
  const delayMs = wholeNumber(input.delayMs, MAX_DELAY_MS);
  if (delayMs === undefined) problems.push({ field: 'delayMs', code: 'delay_invalid', params: { max: String(MAX_DELAY_MS) } });
  const delayOn = primitives(input.delayOn, 'delayOn', problems);
  if (delayMs !== undefined && delayMs > 0 && delayOn.length === 0) problems.push({ field: 'delayOn', code: 'delay_on_required' });
  const malformedOn = primitives(input.malformedOn, 'malformedOn', problems);
  const refuseReceipts = wholeNumber(input.refuseReceipts, MAX_REFUSALS);
  if (refuseReceipts === undefined) problems.push({ field: 'refuseReceipts', code: 'refusals_invalid', params: { max: String(MAX_REFUSALS) } });
  const refuseWith = (REFUSALS as readonly string[]).includes(input.refuseWith) ? (input.refuseWith as RefuseWith) : undefined;
  if (!refuseWith) problems.push({ field: 'refuseWith', code: 'refuse_with_invalid' });
  if (problems.length > 0 || pattern === undefined || answer === undefined || refuseWith === undefined) {
    return { ok: false, problems };
  }
  return {
    ok: true,
    scenario: {
      id,
      pattern,
      answer,
      ...(payment ? { payment } : {}),
      delayMs: delayMs ?? 0,
      delayOn: delayMs ? delayOn : [],
      malformedOn,
      refuseReceipts: refuseReceipts ?? 0,
      refuseWith,
    },
  };
}

const EMPTY_TRANSFER: TransferInput = { amount: '', fiscalCode: '', iban: '', remittance: '', category: '' };

/** A stored scenario as form text (for editing), always with MAX_TRANSFERS transfer rows. */
export function scenarioToInput(s: Scenario): ScenarioInput {
  const rows: TransferInput[] = (s.payment?.transfers ?? []).map((t) => ({
    amount: formatEuros(t.amountCents),
    fiscalCode: t.fiscalCode,
    iban: t.iban,
    remittance: t.remittance,
    category: t.category,
  }));
  return {
    pattern: s.pattern,
    answer: s.answer,
    amount: s.payment ? formatEuros(s.payment.amountCents) : '',
    description: s.payment?.description ?? '',
    companyName: s.payment?.companyName ?? '',
    dueDate: s.payment?.dueDate ?? '',
    transfers: padTransfers(rows),
    delayMs: String(s.delayMs),
    delayOn: [...s.delayOn],
    malformedOn: [...s.malformedOn],
    refuseReceipts: String(s.refuseReceipts),
    refuseWith: s.refuseWith,
  };
}

export function padTransfers(rows: TransferInput[]): TransferInput[] {
  return [...rows, ...Array.from({ length: Math.max(0, MAX_TRANSFERS - rows.length) }, () => ({ ...EMPTY_TRANSFER }))];
}
