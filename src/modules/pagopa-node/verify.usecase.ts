import { nodeFault, type RequestOf, type ResponseOf } from '../../protocols/pagopa/index.ts';
import { callEc, resolveTarget, stationHead } from './ec-gateway.ts';
import { noticePaid } from './payments.repository.ts';
import { authorise, koReply, okReply, type Context, type Reply } from './reply.ts';

// verifyPaymentNotice: no side effect, safe to retry. A notice the node has seen paid is answered
// PPT_PAGAMENTO_DUPLICATO without asking the EC; otherwise the EC's paVerifyPaymentNotice answer is
// relayed (its payment option, description and names), or its failure mapped (fault.policy.ts).

const OP = 'verifyPaymentNotice';

type PaVerifyOk = ResponseOf<'paVerifyPaymentNotice'>;

/** The EC's single payment option, as the PSP's list of one (detailDescription becomes the note). */
export function verifyAnswer(ec: PaVerifyOk, fiscalCode: string): ResponseOf<'verifyPaymentNotice'> {
  const option = ec.paymentList?.paymentOptionDescription;
  return {
    outcome: 'OK',
    ...(option === undefined
      ? {}
      : {
          paymentList: {
            paymentOptionDescription: [
              {
                amount: option.amount,
                options: option.options,
                ...(option.dueDate === undefined ? {} : { dueDate: option.dueDate }),
                ...(option.detailDescription === undefined ? {} : { paymentNote: option.detailDescription }),
              },
            ],
          },
        }),
    ...(ec.paymentDescription === undefined ? {} : { paymentDescription: ec.paymentDescription }),
    fiscalCodePA: ec.fiscalCodePA ?? fiscalCode,
    ...(ec.companyName === undefined ? {} : { companyName: ec.companyName }),
    ...(ec.officeName === undefined ? {} : { officeName: ec.officeName }),
  };
}

export async function verify(ctx: Context, value: RequestOf<'verifyPaymentNotice'>): Promise<Reply> {
  const auth = await authorise(ctx, value);
  if (!auth.ok) return koReply(OP, nodeFault(auth.faultCode, auth.description));
  const { env } = ctx.caller;
  const { fiscalCode, noticeNumber } = value.qrCode;
  if (await noticePaid(ctx.deps.db, { env, fiscalCode, noticeNumber })) {
    return koReply(OP, nodeFault('PPT_PAGAMENTO_DUPLICATO', `L’avviso ${noticeNumber} risulta già pagato. / Notice ${noticeNumber} has already been paid.`));
  }
  const routed = await resolveTarget(ctx.deps, env, fiscalCode, noticeNumber);
  if (!routed.ok) return koReply(OP, routed.fault);
  ctx.trace.parties = routed.target;
  const verdict = await callEc(ctx.deps, {
    env,
    op: 'paVerifyPaymentNotice',
    value: { ...stationHead(routed.target), qrCode: { fiscalCode, noticeNumber } },
    target: routed.target,
    timeoutMs: ctx.deps.timeouts.verifyMs,
    pspOrganisationId: ctx.caller.organisationId,
    noticeNumber,
  });
  if (verdict.kind === 'fault') return koReply(OP, verdict.fault);
  return okReply(OP, verifyAnswer(verdict.value, fiscalCode));
}
