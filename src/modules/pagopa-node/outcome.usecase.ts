import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import { nodeFault, type FaultBean, type PptFaultCode, type RequestOf } from '../../protocols/pagopa/index.ts';
import type { CartNotice } from '../pagopa-exchanges/index.ts';
import type { EcPayment } from './activate.policy.ts';
import type { PaidPayment } from './node.types.ts';
import { outcomeDigest, outcomeVerdict, stampsMissing, type OutcomeVerdict } from './outcome.policy.ts';
import * as repo from './payments.repository.ts';
import { authorise, koReply, okReply, type Context, type Reply } from './reply.ts';

// sendPaymentOutcome and sendPaymentOutcomeV2 (a cart of 1–5 tokens): one transaction locks the
// tokens' rows, judges each (outcome.policy.ts) and, only when every token is acceptable, records the
// outcome — OK: `paid`, and the receipts are scheduled by the receipts module IN THIS TRANSACTION, so
// an outcome is never recorded without its receipts; KO: `ko`, which frees the notice. A cart is all
// or nothing: one refused token refuses the request and changes nothing.

type OutcomeOperation = 'sendPaymentOutcome' | 'sendPaymentOutcomeV2';
type OutcomeRequest = RequestOf<'sendPaymentOutcome'> | RequestOf<'sendPaymentOutcomeV2'>;

const TEXT: Partial<Record<PptFaultCode, (token: string) => string>> = {
  PPT_TOKEN_SCONOSCIUTO: (t) => `Il token ${t} non corrisponde ad alcuna attivazione di questo PSP. / Token ${t} matches no activation of this PSP.`,
  PPT_ESITO_GIA_ACQUISITO: (t) => `L’esito del token ${t} è già stato ricevuto. / The outcome of token ${t} was already received.`,
  PPT_TOKEN_SCADUTO: (t) => `Il token ${t} è scaduto e l’avviso è stato attivato di nuovo. / Token ${t} has expired and the notice was activated again.`,
  PPT_ERRORE_IDEMPOTENZA: (t) =>
    `L’esito del token ${t} è già stato ricevuto con la stessa idempotencyKey e una richiesta diversa. / ` +
    `The outcome of token ${t} was already received with the same idempotencyKey and a different request.`,
  PPT_TOKEN_SCADUTO_KO: (t) => `Il token ${t} è scaduto: l’esito KO non ha nulla da annullare. / Token ${t} has expired: the KO outcome has nothing to cancel.`,
};

function refusalFault(op: OutcomeOperation, code: PptFaultCode, token: string, index: number, description?: string): FaultBean {
  const fault = nodeFault(code, description ?? TEXT[code]?.(token));
  // In a cart, serial names the token's position (1-based), as pagoPA does for list elements.
  return op === 'sendPaymentOutcomeV2' ? { ...fault, serial: index + 1 } : fault;
}

function paidPayment(ctx: Context, row: repo.PaymentRow, value: OutcomeRequest, paidAt: Date): PaidPayment {
  return {
    env: ctx.caller.env,
    token: row.token,
    noticeNumber: row.notice_number,
    fiscalCode: row.fiscal_code,
    ecOrganisationId: row.ec_organisation_id,
    payment: row.payment as EcPayment,
    psp: {
      organisationId: ctx.caller.organisationId,
      idPSP: value.idPSP,
      idBrokerPSP: value.idBrokerPSP,
      idChannel: value.idChannel,
      companyName: ctx.caller.organisationName,
    },
    ...(value.details === undefined ? {} : { details: value.details }),
    paidAt,
  };
}

type Decision = { kind: 'done' } | { kind: 'refused'; code: PptFaultCode; token: string; index: number; description?: string };

/** The key names another token's outcome: one key, one outcome (primitives: another request with it → PPT_ERRORE_IDEMPOTENZA). */
const keyTakenText = (key: string): string =>
  `La idempotencyKey ${key} è già stata usata per l’esito di un altro token. / The idempotencyKey ${key} was already used for another token\u2019s outcome.`;

const stampsMissingText = (token: string, transfers: readonly number[]): string =>
  `Il pagamento del token ${token} chiede la marca da bollo digitale per ${transfers.length === 1 ? 'il trasferimento' : 'i trasferimenti'} ${transfers.join(', ')}: ` +
  `l’esito OK deve portarla (sendPaymentOutcomeV2, marcheDaBollo). / The payment of token ${token} asks for a digital stamp for transfer ${transfers.join(', ')}: ` +
  `the OK outcome must deliver it (sendPaymentOutcomeV2, marcheDaBollo).`;

async function decideAndApply(ctx: Context, trx: Kysely<Database>, op: OutcomeOperation, value: OutcomeRequest, tokens: readonly string[]): Promise<Decision> {
  const now = ctx.deps.clock.now();
  const digest = outcomeDigest(op, value);
  const rows = new Map((await repo.lockTokens(trx, ctx.caller.env, tokens)).map((r) => [r.token, r]));
  // Only the caller's own tokens name their notice and EC in the exchange log (another PSP's must not
  // leak): the first names the row's notice and EC, the others of a cart their ECs and station owners as
  // further parties, so each institution of the cart reads the outcome of its own payment. A cart's row
  // also lists every token with whose it is, so each institution finds it by its own token or notice and
  // reads it with the others' tokens masked (ADR 0018).
  const own = tokens.map((token) => rows.get(token)).map((row) => (row?.psp_organisation_id === ctx.caller.organisationId ? row : undefined));
  const [first, ...others] = own;
  if (first) traceRow(ctx, first);
  ctx.trace.furtherParties = others.flatMap((row) => (row ? [row.ec_organisation_id, row.station_organisation_id] : [])).filter((id) => id !== null);
  if (tokens.length > 1) ctx.trace.cart = tokens.map((token, i) => cartNotice(token, own[i]));
  const verdicts: OutcomeVerdict[] = tokens.map((token) => {
    const row = rows.get(token);
    return outcomeVerdict(
      row && {
        state: row.state,
        expiresAt: row.expires_at,
        everActive: row.payment !== null,
        pspOrganisationId: row.psp_organisation_id,
        idPsp: row.id_psp,
        outcomeIdempotencyKey: row.outcome_idempotency_key,
        outcomeDigest: row.outcome_digest,
      },
      { outcome: value.outcome, organisationId: ctx.caller.organisationId, idPsp: value.idPSP, idempotencyKey: value.idempotencyKey, digest, now },
    );
  });
  const refused = verdicts.findIndex((v) => v.kind === 'refuse');
  if (refused >= 0) {
    const verdict = verdicts[refused] as Extract<OutcomeVerdict, { kind: 'refuse' }>;
    return { kind: 'refused', code: verdict.faultCode, token: tokens[refused] ?? '', index: refused };
  }
  // An OK whose receipt could never be built (a digital stamp asked, none delivered) is refused now, not lost later.
  if (value.outcome === 'OK') {
    for (const [i, token] of tokens.entries()) {
      const row = rows.get(token);
      if (verdicts[i]?.kind !== 'accept' || row === undefined) continue;
      const missing = stampsMissing(row.payment as EcPayment | null, token, value);
      if (missing.length > 0) return { kind: 'refused', code: 'PPT_SEMANTICA', token, index: i, description: stampsMissingText(token, missing) };
    }
  }
  const key = value.idempotencyKey;
  if (key !== undefined && verdicts.some((v) => v.kind === 'accept')) {
    if (await repo.outcomeKeyTakenElsewhere(trx, { env: ctx.caller.env, idPsp: value.idPSP, key }, tokens)) {
      return { kind: 'refused', code: 'PPT_ERRORE_IDEMPOTENZA', token: tokens[0] ?? '', index: 0, description: keyTakenText(key) };
    }
  }
  for (const [i, token] of tokens.entries()) {
    const row = rows.get(token);
    if (verdicts[i]?.kind !== 'accept' || row === undefined) continue;
    await repo.recordOutcome(trx, token, {
      state: value.outcome === 'OK' ? 'paid' : 'ko',
      outcome: value.outcome,
      at: now,
      details: value.details,
      idempotencyKey: value.idempotencyKey,
      digest,
    });
    // After the row says `paid`, in the same transaction: the receipts and the outcome commit together or not at all.
    if (value.outcome === 'OK') await ctx.deps.receipts.schedule(trx, paidPayment(ctx, row, value, now));
  }
  return { kind: 'done' };
}

/** A token of a cart as the exchange log keeps it: whose notice it is only when it is the caller's. */
function cartNotice(token: string, row: repo.PaymentRow | undefined): CartNotice {
  return {
    token,
    noticeNumber: row?.notice_number ?? null,
    fiscalCode: row?.fiscal_code ?? null,
    ecOrganisationId: row?.ec_organisation_id ?? null,
    stationId: row?.station_id ?? null,
    stationCode: row?.station_code ?? null,
    stationOrganisationId: row?.station_organisation_id ?? null,
  };
}

function traceRow(ctx: Context, row: repo.PaymentRow): void {
  Object.assign(ctx.trace, {
    noticeNumber: row.notice_number,
    fiscalCode: row.fiscal_code,
    parties: {
      ecOrganisationId: row.ec_organisation_id,
      stationId: row.station_id,
      stationCode: row.station_code,
      stationOrganisationId: row.station_organisation_id,
    },
  });
}

export async function sendOutcome(ctx: Context, op: OutcomeOperation, value: OutcomeRequest): Promise<Reply> {
  const auth = await authorise(ctx, value);
  if (!auth.ok) return koReply(op, nodeFault(auth.faultCode, auth.description));
  const tokens = 'paymentTokens' in value ? value.paymentTokens.paymentToken : [value.paymentToken];
  ctx.trace.token = tokens[0];
  const decision = await ctx.deps.db.transaction().execute((trx) => decideAndApply(ctx, trx, op, value, tokens));
  if (decision.kind === 'refused') return koReply(op, refusalFault(op, decision.code, decision.token, decision.index, decision.description));
  return okReply(op, { outcome: 'OK' });
}
