import { inSpan, SpanKind } from '../../kernel/tracing.ts';
import { performance } from 'node:perf_hooks';
import {
  decodePspRequest,
  nodeFault,
  parseSoapAction,
  PSP_OPERATIONS,
  type DecodeProblem,
  type DecodedRequest,
  type PptFaultCode,
  type PspOperation,
} from '../../protocols/pagopa/index.ts';
import { activate } from './activate.usecase.ts';
import type { NodeAnswer, NodeCaller, NodeRequest, PagopaNodeOptions, TransportRefusal } from './node.types.ts';
import { sendOutcome } from './outcome.usecase.ts';
import { inBothLanguages, isPspOperation, koReply, refusalReply, systemError, type Context, type Reply, type Trace } from './reply.ts';
import { verify } from './verify.usecase.ts';

// The node's entry point for one PSP request (POST /nodo/node-for-psp/v1, after the API key): decode
// with the codec (entities and DTDs refused, 256 KiB), run the operation's use case, encode, and record
// the inbound exchange. Every answer is a SOAP envelope with HTTP 200; anything unexpected is the
// operation's KO with PPT_SYSTEM_ERROR (logged with the error, never shown).

export interface PagopaNode {
  handle(request: NodeRequest): Promise<NodeAnswer>;
  /** The answer to a request the HTTP context refused before reading it (body too large, content type, a failure). */
  refuse(refusal: TransportRefusal): Promise<NodeAnswer>;
}

const TRANSPORT_FAULT: Record<TransportRefusal['kind'], PptFaultCode> = {
  too_large: 'PPT_SINTASSI_XSD',
  bad_request: 'PPT_SINTASSI_XSD',
  unexpected: 'PPT_SYSTEM_ERROR',
};

/** The operation a SOAPAction names, when it names one of ours. */
export function soapActionOperation(header: string | readonly string[] | undefined): PspOperation | undefined {
  const named = parseSoapAction(header);
  return PSP_OPERATIONS.find((o) => o === named);
}

/**
 * An unknown SOAPAction cannot name the KO's operation; the body may (decoded without the header).
 * The PSP then gets PPT_SOAPACTION_ERRATA in the response of the operation it meant.
 */
function withBodyOperation(problem: DecodeProblem, body: Buffer): DecodeProblem {
  if (problem.kind !== 'unknown_operation' || problem.operation !== undefined) return problem;
  const byBody = decodePspRequest(body, undefined);
  const op = byBody.ok ? byBody.operation : byBody.problem.operation;
  return op === undefined ? problem : { ...problem, operation: op };
}

function traceOf(decoded: Extract<DecodedRequest<'nodeForPsp'>, { ok: true }>): Trace {
  switch (decoded.operation) {
    case 'sendPaymentOutcome':
      return { token: decoded.value.paymentToken };
    case 'sendPaymentOutcomeV2':
      return { token: decoded.value.paymentTokens.paymentToken[0] ?? '' };
    default:
      return { noticeNumber: decoded.value.qrCode.noticeNumber, fiscalCode: decoded.value.qrCode.fiscalCode };
  }
}

function dispatch(ctx: Context, decoded: Extract<DecodedRequest<'nodeForPsp'>, { ok: true }>): Promise<Reply> {
  switch (decoded.operation) {
    case 'verifyPaymentNotice':
      return verify(ctx, decoded.value);
    case 'activatePaymentNotice':
      return activate(ctx, decoded.operation, decoded.value);
    case 'activatePaymentNoticeV2':
      return activate(ctx, decoded.operation, decoded.value);
    case 'sendPaymentOutcome':
      return sendOutcome(ctx, decoded.operation, decoded.value);
    case 'sendPaymentOutcomeV2':
      return sendOutcome(ctx, decoded.operation, decoded.value);
  }
}

export function createPagopaNode(deps: PagopaNodeOptions): PagopaNode {
  async function record(
    caller: NodeCaller,
    input: { operation: string; receivedAt: NodeRequest['receivedAt']; body: Buffer; reply: Reply; trace: Trace; error?: string },
  ) {
    const { trace, reply } = input;
    const parties = trace.parties;
    await deps.exchanges
      .record({
        env: caller.env,
        direction: 'in',
        operation: input.operation,
        at: input.receivedAt.at,
        durationMs: Math.round(performance.now() - input.receivedAt.mark),
        pspOrganisationId: caller.organisationId,
        ecOrganisationId: parties?.ecOrganisationId ?? null,
        stationId: parties?.stationId ?? null,
        stationCode: parties?.stationCode ?? null,
        stationOrganisationId: parties?.stationOrganisationId ?? null,
        furtherOrganisationIds: trace.furtherParties ?? null,
        cartNotices: trace.cart ?? null,
        noticeNumber: trace.noticeNumber ?? null,
        fiscalCode: trace.fiscalCode ?? null,
        token: trace.token ?? null,
        outcome: reply.outcome ?? null,
        faultCode: reply.faultCode ?? null,
        httpStatus: 200,
        error: input.error ?? null,
        request: input.body,
        response: reply.xml,
      })
      .catch((error: unknown) => deps.logger.warn({ err: error, operation: input.operation }, 'pagoPA exchange log: inbound message not recorded'));
  }

  async function answer(request: NodeRequest): Promise<{ operation: string; reply: Reply; trace: Trace }> {
    const decoded = decodePspRequest(request.body, request.soapAction);
    if (!decoded.ok) {
      const problem = inBothLanguages(withBodyOperation(decoded.problem, request.body));
      return { operation: problem.operation ?? '', reply: refusalReply(problem), trace: {} };
    }
    const ctx: Context = { deps, caller: request.caller, trace: traceOf(decoded) };
    try {
      // One span per primitive (tracing on): the station call it makes is its child.
      const reply = await inSpan(`pagopa ${decoded.operation}`, SpanKind.INTERNAL, { 'varco.pagopa.operation': decoded.operation }, async (span) => {
        const answered = await dispatch(ctx, decoded);
        span.setAttribute('varco.pagopa.outcome', answered.outcome ?? '');
        if (answered.faultCode) span.setAttribute('varco.pagopa.fault_code', answered.faultCode);
        return answered;
      });
      return { operation: decoded.operation, reply, trace: ctx.trace };
    } catch (error) {
      deps.logger.error({ err: error, operation: decoded.operation }, 'pagoPA node: request failed');
      return { operation: decoded.operation, reply: koReply(decoded.operation, systemError()), trace: ctx.trace };
    }
  }

  return {
    async handle(request) {
      const { operation, reply, trace } = await answer(request);
      await record(request.caller, { operation, receivedAt: request.receivedAt, body: request.body, reply, trace });
      return { status: 200, body: reply.xml };
    },

    async refuse(refusal) {
      const op = soapActionOperation(refusal.soapAction);
      const code = TRANSPORT_FAULT[refusal.kind];
      const reply =
        op !== undefined && isPspOperation(op)
          ? koReply(op, nodeFault(code, refusal.description))
          : refusalReply({ kind: 'not_soap', faultCode: code, description: refusal.description });
      await record(refusal.caller, {
        operation: op ?? '',
        receivedAt: refusal.receivedAt,
        body: refusal.body ?? Buffer.alloc(0),
        reply,
        trace: {},
        error: refusal.description,
      });
      return { status: 200, body: reply.xml };
    },
  };
}
