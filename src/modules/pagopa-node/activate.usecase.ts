import { setTimeout as wait } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { EncodeError, newPaymentToken, nodeFault, type FaultBean } from '../../protocols/pagopa/index.ts';
import {
  activationAnswer,
  getPaymentRequest,
  requestDigest,
  tokenExpiry,
  type ActivateOperation,
  type ActivateRequest,
  type EcPayment,
} from './activate.policy.ts';
import { callEc, resolveTarget, stationHead, type EcTarget } from './ec-gateway.ts';
import * as repo from './payments.repository.ts';
import { authorise, koReply, okReply, systemError, type Context, type Reply } from './reply.ts';

// activatePaymentNotice[V2] (docs/adr/0020-pagopa-node.md):
// 1. authorise the PSP; route the notice (simulator or station);
// 2. an idempotency key already used within its token's life (its claim in 3 fails) answers the stored
//    answer (same request), PPT_ERRORE_IDEMPOTENZA (different request) or waits for the activation in
//    progress with that key; an expired record is deleted and the key claimed again;
// 3. one statement (one transaction): claim the key, expire the notice's stale tokens, insert the new token as
//    `activating` — the partial unique index refuses a second live token (PPT_PAGAMENTO_IN_CORSO, or
//    PPT_PAGAMENTO_DUPLICATO when the holder is paid);
// 4. paGetPayment[V2] OUTSIDE any transaction (the station's version decides which); on OK the token
//    becomes `active` with the EC's data and the answer is stored for the key; on any failure `failed`
//    (the notice is free again) and the key is released.

const POLL_MS = 50;
const ATTEMPTS = 3;

type Started = { kind: 'started'; token: string } | { kind: 'key_taken' } | { kind: 'held'; state: repo.PaymentRow['state'] | undefined };
type Prior = { kind: 'reply'; reply: Reply } | { kind: 'absent' };

const inProgress = (notice: string): FaultBean =>
  nodeFault('PPT_PAGAMENTO_IN_CORSO', `Un’altra attivazione dell’avviso ${notice} è in corso. / Another activation of notice ${notice} is in progress.`);

/** What the key's record says: the stored answer, a refusal, or nothing (the key is free). */
async function prior(ctx: Context, op: ActivateOperation, key: repo.IdempotencyKey, digest: string, notice: string): Promise<Prior> {
  const { db, clock } = ctx.deps;
  const deadline = performance.now() + (ctx.deps.idempotencyWaitMs ?? 3_000);
  for (;;) {
    const row = await repo.findIdempotency(db, key);
    if (row === undefined) return { kind: 'absent' };
    if (row.valid_until.getTime() <= clock.now().getTime()) {
      await repo.deleteExpiredIdempotency(db, key, clock.now());
      return { kind: 'absent' };
    }
    if (row.request_digest !== digest) {
      return {
        kind: 'reply',
        reply: koReply(
          op,
          nodeFault(
            'PPT_ERRORE_IDEMPOTENZA',
            `La idempotencyKey ${key.key} è già stata usata con una richiesta diversa. / ` +
              `The idempotencyKey ${key.key} was already used with a different request.`,
          ),
        ),
      };
    }
    if (row.response !== null) {
      ctx.trace.token = row.token;
      return { kind: 'reply', reply: { xml: row.response, outcome: 'OK', faultCode: undefined } };
    }
    // The activation holding the key is still asking the EC: wait briefly for its answer.
    if (performance.now() >= deadline) return { kind: 'reply', reply: koReply(op, inProgress(notice)) };
    await wait(POLL_MS);
  }
}

async function start(
  ctx: Context,
  op: ActivateOperation,
  value: ActivateRequest,
  target: EcTarget,
  key: repo.IdempotencyKey | undefined,
  digest: string,
): Promise<Started> {
  const { db, clock, timeouts } = ctx.deps;
  const now = clock.now();
  const token = newPaymentToken();
  const expiresAt = tokenExpiry(now, value, 'activating', timeouts.getPaymentMs);
  const notice = { env: ctx.caller.env, fiscalCode: value.qrCode.fiscalCode, noticeNumber: value.qrCode.noticeNumber };
  try {
    const started = await repo.startActivation(db, {
      notice,
      now,
      claim: key && { key, digest, validUntil: expiresAt },
      payment: {
        token,
        environment: notice.env,
        fiscal_code: notice.fiscalCode,
        notice_number: notice.noticeNumber,
        state: 'activating',
        operation: op,
        psp_organisation_id: ctx.caller.organisationId,
        psp_company_name: ctx.caller.organisationName,
        id_psp: value.idPSP,
        id_broker_psp: value.idBrokerPSP,
        id_channel: value.idChannel,
        idempotency_key: value.idempotencyKey ?? null,
        amount_cents: value.amount,
        ec_organisation_id: target.ecOrganisationId,
        station_id: target.stationId,
        station_code: target.stationCode,
        station_organisation_id: target.stationOrganisationId,
        primitive_version: target.primitiveVersion,
        activated_at: now,
        expires_at: expiresAt,
        updated_at: now,
      },
    });
    if (started === 'key_taken') return { kind: 'key_taken' };
  } catch (error) {
    if (repo.isLiveNoticeConflict(error)) return { kind: 'held', state: await repo.liveHolder(db, notice) };
    throw error;
  }
  return { kind: 'started', token };
}

async function abandon(ctx: Context, token: string, faultCode: string): Promise<void> {
  await repo.markFailed(ctx.deps.db, token, faultCode, ctx.deps.clock.now());
  await repo.releaseIdempotency(ctx.deps.db, token);
}

/** Asks the EC for the payment and turns the token active, or frees the notice. */
async function finish(ctx: Context, op: ActivateOperation, value: ActivateRequest, target: EcTarget, token: string): Promise<Reply> {
  const { deps, caller } = ctx;
  const getOp = target.primitiveVersion === 2 ? 'paGetPaymentV2' : 'paGetPayment';
  let refused: FaultBean | undefined;
  let reply: Reply | undefined;
  let payment: EcPayment | undefined;
  try {
    const verdict = await callEc(deps, {
      env: caller.env,
      op: getOp,
      value: getPaymentRequest(stationHead(target), value),
      target,
      timeoutMs: deps.timeouts.getPaymentMs,
      pspOrganisationId: caller.organisationId,
      noticeNumber: value.qrCode.noticeNumber,
      token,
    });
    if (verdict.kind === 'fault') refused = verdict.fault;
    else {
      // The codec's rules guarantee an OK paGetPayment carries its data.
      payment = {
        version: target.primitiveVersion,
        data: verdict.value.data,
        ...(value.paymentNote === undefined ? {} : { paymentNote: value.paymentNote }),
      } as EcPayment;
      const answer = activationAnswer(op, payment, token, value);
      if (answer.ok) reply = okReply(op, answer.value);
      else refused = answer.fault;
    }
  } catch (error) {
    if (!(error instanceof EncodeError)) {
      await abandon(ctx, token, 'PPT_SYSTEM_ERROR');
      throw error;
    }
    // The EC's data is valid for paForNode but not for the PSP's schema (e.g. an IBAN the PSP's stIBAN refuses).
    refused = nodeFault(
      'PPT_STAZIONE_INT_PA_ERRORE_RESPONSE',
      `I dati dell’ente non sono inoltrabili al PSP (${error.message}). / The institution's data cannot be relayed to the PSP (${error.message}).`,
    );
  }
  if (refused !== undefined || reply === undefined || payment === undefined) {
    const fault = refused ?? systemError();
    await abandon(ctx, token, fault.faultCode);
    return koReply(op, fault);
  }
  const now = deps.clock.now();
  const activeUntil = tokenExpiry(now, value, 'active', deps.timeouts.getPaymentMs);
  const kept = await repo.markActiveWithAnswer(deps.db, { token, payment, expiresAt: activeUntil, now, response: reply.xml });
  if (!kept) {
    // Swept while the EC was asked: longer than the call's timeout plus the margin (a stalled process).
    await repo.releaseIdempotency(deps.db, token);
    return koReply(op, nodeFault('PPT_SYSTEM_ERROR', 'L’attivazione ha richiesto troppo tempo; riprovare. / The activation took too long; retry.'));
  }
  return reply;
}

export async function activate(ctx: Context, op: ActivateOperation, value: ActivateRequest): Promise<Reply> {
  const auth = await authorise(ctx, value);
  if (!auth.ok) return koReply(op, nodeFault(auth.faultCode, auth.description));
  const { env } = ctx.caller;
  const { fiscalCode, noticeNumber } = value.qrCode;
  const key = value.idempotencyKey === undefined ? undefined : { env, idPsp: value.idPSP, key: value.idempotencyKey };
  const digest = requestDigest(op, value);
  let target: EcTarget | undefined;
  // The key's record is read only when the key turns out to be taken: its claim is part of the start
  // (issue 15: a first activation, the common case, makes no read for it). A replay whose notice no
  // longer routes still gets the answer the key stored, as when the record was read first.
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (target === undefined) {
      const routed = await resolveTarget(ctx.deps, env, fiscalCode, noticeNumber);
      if (!routed.ok) {
        const known = key && (await prior(ctx, op, key, digest, noticeNumber));
        return known?.kind === 'reply' ? known.reply : koReply(op, routed.fault);
      }
      target = routed.target;
      ctx.trace.parties = target;
    }
    const started = await start(ctx, op, value, target, key, digest);
    if (started.kind === 'key_taken') {
      // Stored answer, another request's key, an activation in progress (waited for), or expired (deleted: claim again).
      const known = key && (await prior(ctx, op, key, digest, noticeNumber));
      if (known?.kind === 'reply') return known.reply;
      continue;
    }
    if (started.kind === 'held') {
      return koReply(
        op,
        started.state === 'paid'
          ? nodeFault('PPT_PAGAMENTO_DUPLICATO', `L’avviso ${noticeNumber} risulta già pagato. / Notice ${noticeNumber} has already been paid.`)
          : inProgress(noticeNumber),
      );
    }
    ctx.trace.token = started.token;
    return finish(ctx, op, value, target, started.token);
  }
  return koReply(op, inProgress(noticeNumber));
}
