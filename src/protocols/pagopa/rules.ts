// Rules the specification states outside the XSD. On a PSP request a broken rule is
// PPT_SINTASSI_EXTRAXSD; on an EC answer it makes the answer malformed
// (PPT_STAZIONE_INT_PA_ERRORE_RESPONSE); the encoder refuses to emit a response that breaks one.
import type { Operation, RequestOf, ResponseOf } from './operations.ts';
import type { SchemaProblem } from './read.ts';
import { responseElement, requestElement } from './operations.ts';

type Rule<T> = (value: T, root: string) => SchemaProblem | undefined;
const problem = (root: string, element: string, message: string): SchemaProblem => ({ path: `${root}/${element}`, element, message });

const positiveExpiration: Rule<{ expirationTime?: number }> = (v, root) =>
  v.expirationTime !== undefined && v.expirationTime < 1
    ? problem(root, 'expirationTime', '<expirationTime> must be a positive number of milliseconds')
    : undefined;

const detailsWhenOk: Rule<{ outcome: 'OK' | 'KO'; details?: unknown }> = (v, root) =>
  v.outcome === 'OK' && v.details === undefined ? problem(root, 'details', '<details> is mandatory when <outcome> is OK') : undefined;

const distinctTokens: Rule<RequestOf<'sendPaymentOutcomeV2'>> = (v, root) => {
  const tokens = v.paymentTokens.paymentToken;
  return new Set(tokens).size === tokens.length ? undefined : problem(root, 'paymentTokens', '<paymentTokens> lists the same <paymentToken> twice');
};

const REQUEST_RULES: { [O in Operation]?: Rule<RequestOf<O>>[] } = {
  activatePaymentNotice: [positiveExpiration],
  activatePaymentNoticeV2: [positiveExpiration],
  sendPaymentOutcome: [detailsWhenOk],
  sendPaymentOutcomeV2: [detailsWhenOk, distinctTokens],
};

/** The first rule outside the XSD that a decoded request breaks. */
export function checkRequestRules<O extends Operation>(op: O, value: RequestOf<O>): SchemaProblem | undefined {
  const rules = (REQUEST_RULES[op] ?? []) as Rule<RequestOf<O>>[];
  const root = requestElement(op);
  for (const rule of rules) {
    const found = rule(value, root);
    if (found) return found;
  }
  return undefined;
}

interface Head {
  outcome: 'OK' | 'KO';
  fault?: unknown;
}

/** outcome KO carries a fault, outcome OK does not ("se esito è OK non può esserci un faultBean"). */
const faultMatchesOutcome: Rule<Head> = (v, root) => {
  if (v.outcome === 'KO' && v.fault === undefined) return problem(root, 'fault', '<fault> is mandatory when <outcome> is KO');
  if (v.outcome === 'OK' && v.fault !== undefined) return problem(root, 'fault', '<fault> must be absent when <outcome> is OK');
  return undefined;
};

const whenOk =
  (element: string, present: (v: never) => boolean): Rule<Head> =>
  (v, root) =>
    v.outcome === 'OK' && !present(v as never) ? problem(root, element, `<${element}> is mandatory when <outcome> is OK`) : undefined;

interface TransferLike {
  idTransfer: number;
  transferAmount: number;
}
/** Transfers: distinct ids, amounts adding up to the payment amount. */
function transfersConsistent(root: string, total: number, transfers: readonly TransferLike[]): SchemaProblem | undefined {
  if (new Set(transfers.map((t) => t.idTransfer)).size !== transfers.length) {
    return problem(root, 'transferList', '<transferList> repeats an <idTransfer>');
  }
  const sum = transfers.reduce((acc, t) => acc + t.transferAmount, 0);
  return sum === total ? undefined : problem(root, 'transferList', 'the <transferAmount>s do not add up to <paymentAmount>');
}

const paymentData: Rule<ResponseOf<'paGetPayment'> | ResponseOf<'paGetPaymentV2'>> = (v, root) =>
  v.data === undefined ? undefined : transfersConsistent(`${root}/data`, v.data.paymentAmount, v.data.transferList.transfer);

const activateOk = [
  whenOk('paymentToken', (v: { paymentToken?: string }) => v.paymentToken !== undefined),
  whenOk('totalAmount', (v: { totalAmount?: number }) => v.totalAmount !== undefined),
  whenOk('transferList', (v: { transferList?: unknown }) => v.transferList !== undefined),
];

const RESPONSE_RULES: { [O in Operation]?: Rule<ResponseOf<O>>[] } = {
  verifyPaymentNotice: [whenOk('paymentList', (v: { paymentList?: unknown }) => v.paymentList !== undefined)],
  activatePaymentNotice: activateOk,
  activatePaymentNoticeV2: activateOk,
  paVerifyPaymentNotice: [whenOk('paymentList', (v: { paymentList?: unknown }) => v.paymentList !== undefined)],
  paGetPayment: [whenOk('data', (v: { data?: unknown }) => v.data !== undefined), paymentData],
  paGetPaymentV2: [whenOk('data', (v: { data?: unknown }) => v.data !== undefined), paymentData],
};

/** The first rule outside the XSD that a response breaks (applied on decode and on encode). */
export function checkResponseRules<O extends Operation>(op: O, value: ResponseOf<O>): SchemaProblem | undefined {
  const root = responseElement(op);
  const rules = [faultMatchesOutcome, ...((RESPONSE_RULES[op] ?? []) as Rule<Head>[])];
  for (const rule of rules) {
    const found = rule(value as Head, root);
    if (found) return found;
  }
  return undefined;
}
