/**
 * Whether a request may enter the hosted page, from the SHA-IN verification and the referrer
 * check, with the platform's error texts (docs/reference/ogone/hosted-page.md, "Entry errors"):
 *
 * | SHA-IN passphrase | SHASIGN      | referrer list | Referer            | decision              |
 * | ----------------- | ------------ | ------------- | ------------------ | --------------------- |
 * | set               | missing      | any           | any                | `unknown order/0/s/`  |
 * | set               | wrong        | any           | any                | `unknown order/1/s/`  |
 * | set               | correct      | empty         | any                | enter                 |
 * | set               | correct      | set           | allowed or missing | enter (missing tolerated) |
 * | set               | correct      | set           | not allowed        | `unknown order/1/r/`  |
 * | none              | (not checked) | set          | allowed            | enter                 |
 * | none              | (not checked) | set          | missing            | `unknown order/0/r/`  |
 * | none              | (not checked) | set          | not allowed        | `unknown order/1/r/`  |
 * | none              | (not checked) | empty        | any                | `unknown order/0/s/` (ours) |
 * | none, in prod     | (not checked) | any          | any                | `unknown order/0/s/` (ours) |
 *
 * The signature is judged before the referrer: its texts are the ones merchants are told to look
 * for first. The last row is our choice: with neither check configured nothing shows the request
 * comes from the merchant, so anyone could open payments in his name; the text says what to add.
 * In production the referrer alone is not enough either (issue 10): a Referer header is whatever
 * the sender writes, so production requests must be signed with a SHA-IN passphrase.
 */
import { ACCEPTED_STATUSES, DECLINED_STATUSES, OGONE_STATUS, UNCERTAIN_STATUSES } from '../../protocols/ogone/index.ts';
import type { ShaVerifyResult, SortOrder, ReferrerCheck } from '../../protocols/ogone/index.ts';

export type EntryRejection = 'sha_missing' | 'sha_mismatch' | 'referrer_not_allowed' | 'referrer_missing' | 'unprotected' | 'sha_required';

/** The platform's texts; it writes them with a trailing slash (`unknown order/1/s/`). */
export const ENTRY_ERROR_TEXT: Readonly<Record<EntryRejection, string>> = Object.freeze({
  sha_missing: 'unknown order/0/s/',
  sha_mismatch: 'unknown order/1/s/',
  referrer_not_allowed: 'unknown order/1/r/',
  referrer_missing: 'unknown order/0/r/',
  unprotected: 'unknown order/0/s/',
  sha_required: 'unknown order/0/s/',
});

/** 50001184 "SHA Mismatch" is the platform's; 50001111 "Data validation error" for the referrer is ours. */
export const ENTRY_NC_ERROR: Readonly<Record<EntryRejection, string>> = Object.freeze({
  sha_missing: '50001184',
  sha_mismatch: '50001184',
  referrer_not_allowed: '50001111',
  referrer_missing: '50001111',
  unprotected: '50001184',
  sha_required: '50001184',
});

export interface EntryInput {
  /** `null` when the environment has no SHA-IN passphrase (nothing was verified). */
  readonly sha: ShaVerifyResult | null;
  readonly referrer: ReferrerCheck;
  /** Production: a SHA-IN passphrase is required, referrer-only requests are refused. */
  readonly requireSignature?: boolean;
}

export type EntryDecision =
  | {
      readonly ok: true;
      /** Sort order the SHASIGN matched in; null when no passphrase is set. */
      readonly shaOrder: SortOrder | null;
      /** True when the referrer was missing and let through because SHASIGN was correct. */
      readonly referrerTolerated: boolean;
    }
  | { readonly ok: false; readonly code: EntryRejection; readonly text: string; readonly ncError: string };

function reject(code: EntryRejection): EntryDecision {
  return { ok: false, code, text: ENTRY_ERROR_TEXT[code], ncError: ENTRY_NC_ERROR[code] };
}

export function entryDecision(input: EntryInput): EntryDecision {
  const { sha, referrer } = input;
  if (sha === null && input.requireSignature === true) return reject('sha_required');
  if (sha !== null && !sha.ok) {
    // A duplicate signed parameter is reported as a wrong signature: the digest cannot be trusted.
    return reject(sha.reason === 'missing' ? 'sha_missing' : 'sha_mismatch');
  }
  const signed = sha !== null && sha.ok;
  if (!referrer.ok) {
    if (referrer.reason === 'not_allowed') return reject('referrer_not_allowed');
    if (!signed) return reject('referrer_missing');
    return { ok: true, shaOrder: sha.order, referrerTolerated: true };
  }
  if (!signed && !referrer.enforced) return reject('unprotected');
  return { ok: true, shaOrder: signed ? sha.order : null, referrerTolerated: false };
}

/**
 * What the customer is told when the shop sends again an ORDERID that cannot be taken over
 * (50001113): `paid` for an accepted status (authorised, paid, or the acquirer's own pending ones);
 * `pending` while an attempt is under way or its result is being verified (99, 52, 92), so he does
 * not pay twice; `declined` for a final refusal (2 or 93 with the retries used up: a refusal with
 * retries left is taken over); `closed` for what maintenance left (cancelled, deleted, refunded…).
 */
export type ProcessedKind = 'paid' | 'pending' | 'declined' | 'closed';

export function processedKind(status: number): ProcessedKind {
  if (ACCEPTED_STATUSES.has(status)) return 'paid';
  if (status === OGONE_STATUS.BEING_PROCESSED || UNCERTAIN_STATUSES.has(status)) return 'pending';
  if (DECLINED_STATUSES.has(status)) return 'declined';
  return 'closed';
}
