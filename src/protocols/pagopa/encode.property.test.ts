// Random values built from the message descriptions (every facet satisfied) must encode to XML the
// OFFICIAL XSD accepts, and decode back to the same value: the descriptions are neither looser
// than pagoPA's schemas nor lossy, for all ten operations in both directions.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse, nodeFault, OPERATIONS, type Operation } from './index.ts';
import { valueOf } from '../../../test/support/pagopa-arbitrary.ts';
import { responseSamples } from '../../../test/support/pagopa-samples.ts';
import { validateEnvelopes } from '../../../test/support/pagopa-xsd.ts';

const RUNS = 12;
const seed = Date.now() % 2_147_483_647;

type Loose = Record<string, unknown>;
interface TransferLike {
  idTransfer: number;
  transferAmount: number;
}

/** Makes a random response obey the rules outside the XSD (KO ⇔ fault, OK carries its data, sums). */
function obeyRules(op: Operation, value: Loose): Loose {
  if (value.outcome === 'KO') return { outcome: 'KO', fault: value.fault ?? nodeFault('PPT_SYSTEM_ERROR') };
  const { fault: _fault, ...ok } = value;
  const minimal = responseSamples.find((s) => s.operation === op && s.value.outcome === 'OK')!.value as Loose;
  const merged: Loose = { ...minimal, ...ok };
  const data = merged.data as { paymentAmount: number; transferList: { transfer: TransferLike[] } } | undefined;
  if (data !== undefined) {
    const transfer = data.transferList.transfer.map((t, i) => ({ ...t, idTransfer: i + 1, transferAmount: 1 + (t.transferAmount % 1_000_000) }));
    merged.data = { ...data, transferList: { transfer }, paymentAmount: transfer.reduce((sum, t) => sum + t.transferAmount, 0) };
  }
  return merged;
}

/** Makes a random request obey the rules outside the XSD (positive expirationTime, details on OK, distinct tokens). */
function obeyRequestRules(value: Loose): Loose {
  const out = { ...value };
  if (typeof out.expirationTime === 'number' && out.expirationTime < 1) out.expirationTime = 1 + (Math.abs(out.expirationTime) % 1_799_999);
  if (out.outcome === 'OK' && out.details === undefined) out.outcome = 'KO';
  const tokens = (out.paymentTokens as { paymentToken: string[] } | undefined)?.paymentToken;
  if (tokens !== undefined) out.paymentTokens = { paymentToken: [...new Set(tokens)] };
  return out;
}

describe(`random messages from the descriptions (seed ${seed})`, () => {
  const messages: Array<{ name: string; xml: string; op: Operation; direction: 'request' | 'response'; value: Loose }> = [];
  for (const op of Object.keys(OPERATIONS) as Operation[]) {
    fc.sample(valueOf(OPERATIONS[op].request), { numRuns: RUNS, seed }).forEach((v, i) => {
      const value = obeyRequestRules(v as Loose);
      messages.push({ name: `${op} request #${i}`, xml: encodeRequest(op, value as never), op, direction: 'request', value });
    });
    fc.sample(valueOf(OPERATIONS[op].response), { numRuns: RUNS, seed }).forEach((v, i) => {
      const value = obeyRules(op, v as Loose);
      messages.push({ name: `${op} response #${i}`, xml: encodeResponse(op, value as never), op, direction: 'response', value });
    });
  }

  it('decode(encode(v)) = v', () => {
    for (const m of messages) {
      const decoded = m.direction === 'request' ? decodeRequest(OPERATIONS[m.op].service, m.xml, m.op) : decodeResponse(m.op, m.xml);
      assert.ok(decoded.ok, `${m.name}: ${decoded.ok ? '' : decoded.problem.description}`);
      assert.deepEqual(decoded.value, m.value, m.name);
    }
  });

  it('the official XSD accepts every one', async () => {
    const errors = await validateEnvelopes(messages);
    const invalid = [...errors].filter(([, e]) => e.length > 0).map(([name, e]) => ({ name, e, xml: messages.find((m) => m.name === name)?.xml }));
    assert.deepEqual(invalid, [], `seed ${seed}`);
  });
});
