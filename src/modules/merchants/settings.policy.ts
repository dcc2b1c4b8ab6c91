/**
 * The merchant's technical settings (Ingenico's *Technical information* page): pure validation of
 * what a form or the command line sends, with every problem reported at once so a page can show
 * them all next to their fields. Nothing here touches the database or a passphrase at rest.
 *
 * Input is "raw": strings as typed. A field that is absent is left unchanged (the command line sets
 * only the flags it is given); the portal form always sends every field of its environment.
 */
import { isIP } from 'node:net';
import { checkPassphrase, type PassphraseProblem } from './passphrase.policy.ts';
import { validateReferrerSetting, currency, normalizeParamName, DEFAULT_FEEDBACK_FIELDS, FEEDBACK_FIELDS } from '../../protocols/ogone/index.ts';
import type { EcommerceEnv, MerchantConfig } from './merchant.types.ts';

export const PSPID_PATTERN = /^[A-Za-z0-9_-]{2,30}$/;

export const HASHING_METHODS = ['each-parameter', 'main-parameters'] as const;
export const HASH_ALGORITHMS = ['sha1', 'sha256', 'sha512'] as const;
export const CHARSETS = ['page', 'latin1', 'utf8'] as const;
export const S2S_TIMINGS = ['none', 'deferred', 'online', 'online_deferred_fallback'] as const;
export const S2S_METHODS = ['POST', 'GET'] as const;
export const OPERATIONS = ['RES', 'SAL'] as const;
export const PAYMENT_RETRIES_MAX = 99;
export const URL_MAX_LENGTH = 2000;
export const CURRENCIES_MAX = 200;

/**
 * *Dynamic e-Commerce parameters* a merchant may choose: the feedback fields Varco can fill, in
 * Ingenico's names upper-cased as on the SHA-OUT list (names it has no value for are not offered).
 */
export const FEEDBACK_PARAMETERS: readonly string[] = Object.freeze(FEEDBACK_FIELDS.map((n) => normalizeParamName(n)));

/**
 * What Ingenico sends when nothing else is chosen [ADV §9.2.3.1]: stored explicitly on every new
 * configuration, so an empty selection means "none" and never "the defaults".
 */
export const DEFAULT_FEEDBACK_PARAMETERS: readonly string[] = Object.freeze(DEFAULT_FEEDBACK_FIELDS.map((n) => normalizeParamName(n)));

/** The settings of one environment, without passphrases (they are kept sealed, apart). */
export type TechnicalSettings = Omit<MerchantConfig, 'merchantId' | 'organisationId' | 'pspid' | 'name' | 'env' | 'shaIn' | 'shaOut'>;

/** A passphrase field: left as it is, replaced (typed twice), or removed. */
export type PassphraseInput = { action: 'keep' } | { action: 'set'; value: string; confirm: string } | { action: 'clear' };

export interface SettingsInput {
  hashingMethod?: string;
  hashAlgorithm?: string;
  charset?: string;
  referrers?: string;
  shaIn?: PassphraseInput;
  shaOut?: PassphraseInput;
  acceptUrl?: string;
  declineUrl?: string;
  exceptionUrl?: string;
  cancelUrl?: string;
  feedbackOnRedirect?: boolean;
  s2sTiming?: string;
  s2sUrlAccepted?: string;
  s2sUrlDeclined?: string;
  s2sMethod?: string;
  feedbackParams?: readonly string[];
  defaultOperation?: string;
  paymentRetries?: string;
  enabledCurrencies?: readonly string[];
  /**
   * The acknowledgement that legacy hashing lets a customer move digits between ORDERID and AMOUNT
   * and leaves every other parameter unsigned (portal checkbox, `--accept-legacy-hashing`).
   * Needed to turn 'main-parameters' on; not kept: the settings record when it was given.
   */
  acceptLegacyHashing?: boolean;
}

export type SettingsField = Exclude<keyof SettingsInput, 'acceptLegacyHashing'>;

/** The fields in the order of Ingenico's page (and ours). */
export const FIELD_ORDER: readonly SettingsField[] = Object.freeze([
  'hashingMethod',
  'hashAlgorithm',
  'charset',
  'referrers',
  'shaIn',
  'acceptUrl',
  'declineUrl',
  'exceptionUrl',
  'cancelUrl',
  'feedbackOnRedirect',
  'shaOut',
  's2sTiming',
  's2sUrlAccepted',
  's2sUrlDeclined',
  's2sMethod',
  'feedbackParams',
  'defaultOperation',
  'paymentRetries',
  'enabledCurrencies',
] as const);

export type SettingsProblemCode =
  | 'invalid_choice'
  | 'invalid_url'
  | 'not_http'
  | 'https_required'
  | 'host_required'
  | 'destination_forbidden'
  | 'too_long'
  | 'too_many'
  | 'contains_space'
  | 'url_required'
  | 'passphrase_mismatch'
  | PassphraseProblem
  | 'unknown_currency'
  | 'no_currency'
  | 'unknown_parameter'
  | 'invalid_number'
  | 'legacy_ack_required';

export interface SettingsProblem {
  readonly field: SettingsField;
  readonly code: SettingsProblemCode;
  /** The offending entry (a URL of the list, a currency code), when there is one. */
  readonly detail?: string;
}

/** What to write: typed values; a passphrase as plain text (sealed by the service) or null to remove it. */
export interface SettingsPatch extends Partial<TechnicalSettings> {
  shaIn?: string | null;
  shaOut?: string | null;
}

/** `acceptsLegacy`: legacy hashing is turned on with its acknowledgement now (the service records when, and audits it). */
export type SettingsVerdict = { ok: true; patch: SettingsPatch; acceptsLegacy: boolean } | { ok: false; problems: SettingsProblem[] };

/** Legacy hashing is on and its risks were acknowledged (installs upgraded with legacy on were not). */
export function legacyAcknowledged(settings: Pick<TechnicalSettings, 'hashingMethod' | 'legacyHashingAcceptedAt'>): boolean {
  return settings.hashingMethod === 'main-parameters' && settings.legacyHashingAcceptedAt !== null;
}

/**
 * Legacy hashing needs the acknowledgement whenever it is chosen and was not acknowledged for this
 * configuration; turning it off forgets the acknowledgement, so turning it on again asks again.
 */
function collectLegacy(input: SettingsInput, current: TechnicalSettings, c: Collector): boolean {
  if (c.patch.hashingMethod === 'each-parameter' && current.legacyHashingAcceptedAt !== null) c.patch.legacyHashingAcceptedAt = null;
  if (c.patch.hashingMethod !== 'main-parameters' || legacyAcknowledged(current)) return false;
  if (input.acceptLegacyHashing === true) return true;
  c.problems.push({ field: 'hashingMethod', code: 'legacy_ack_required' });
  return false;
}

export function checkPspid(pspid: string): boolean {
  return PSPID_PATTERN.test(pspid);
}

function choice<T extends string>(options: readonly T[], value: string): T | undefined {
  return options.find((o) => o === value);
}

/**
 * Where server-to-server feedback may go, the one rule of the settings and of the sender
 * (checkout's feedback.sender.ts): https in both environments, http in `test` only, as the
 * platform's test environment accepts it; production sends order data over TLS only. The host
 * must be a name, not an IP address: connections are pinned to the address Varco resolved and
 * judged, and an https certificate is checked against the name (SNI cannot carry an IP).
 */
export function s2sUrlProblem(env: EcommerceEnv, url: URL): 'https_required' | 'not_http' | 'host_required' | undefined {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'not_http';
  if (url.protocol === 'http:' && env !== 'test') return 'https_required';
  if (isIP(url.hostname.replace(/^\[|\]$/g, '')) !== 0) return 'host_required';
  return undefined;
}

/**
 * Whether the feedback sender would refuse every delivery to a URL's host, judged without DNS by
 * the destination policy of the process (checkout's feedbackHostVerdict: `localhost` while the
 * operator allows no loopback range). Given by the callers that have the policy (the portal).
 */
export type FeedbackHostRefused = (url: URL) => boolean;

/** An absolute http(s) URL, or '' (no URL); a server-to-server URL (`s2s`) also follows s2sUrlProblem and `refused`. */
function checkUrl(value: string, s2s?: EcommerceEnv, refused?: FeedbackHostRefused): { url: string | null } | { code: SettingsProblemCode } {
  const text = value.trim();
  if (text === '') return { url: null };
  if (text.length > URL_MAX_LENGTH) return { code: 'too_long' };
  if (/\s/.test(text)) return { code: 'contains_space' };
  if (!/^https?:\/\//i.test(text)) return { code: 'not_http' };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { code: 'invalid_url' };
  }
  if (url.hostname === '') return { code: 'invalid_url' };
  const problem = s2s === undefined ? undefined : s2sUrlProblem(s2s, url);
  if (problem !== undefined) return { code: problem };
  if (s2s !== undefined && refused?.(url) === true) return { code: 'destination_forbidden' };
  return { url: text };
}

function checkPassphraseInput(input: PassphraseInput): { value: string | null } | { code: SettingsProblemCode } | undefined {
  if (input.action === 'keep') return undefined;
  if (input.action === 'clear') return { value: null };
  const problem = checkPassphrase(input.value);
  if (problem !== undefined) return { code: problem };
  if (input.value !== input.confirm) return { code: 'passphrase_mismatch' };
  return { value: input.value };
}

function upperList(values: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of values) {
    const name = normalizeParamName(raw.trim());
    if (name !== '' && !out.includes(name)) out.push(name);
  }
  return out;
}

type Collector = { patch: SettingsPatch; problems: SettingsProblem[] };

function collectChoices(input: SettingsInput, c: Collector): void {
  const pick = <T extends string>(field: SettingsField, options: readonly T[], value: string | undefined, set: (v: T) => void): void => {
    if (value === undefined) return;
    const chosen = choice(options, value.trim());
    if (chosen === undefined) c.problems.push({ field, code: 'invalid_choice', detail: value });
    else set(chosen);
  };
  pick('hashingMethod', HASHING_METHODS, input.hashingMethod, (v) => {
    c.patch.hashingMethod = v;
  });
  pick('hashAlgorithm', HASH_ALGORITHMS, input.hashAlgorithm, (v) => {
    c.patch.hashAlgorithm = v;
  });
  pick('charset', CHARSETS, input.charset, (v) => {
    c.patch.charset = v;
  });
  pick('s2sTiming', S2S_TIMINGS, input.s2sTiming, (v) => {
    c.patch.s2sTiming = v;
  });
  pick('s2sMethod', S2S_METHODS, input.s2sMethod?.toUpperCase(), (v) => {
    c.patch.s2sMethod = v;
  });
  pick('defaultOperation', OPERATIONS, input.defaultOperation?.toUpperCase(), (v) => {
    c.patch.defaultOperation = v;
  });
  if (input.feedbackOnRedirect !== undefined) c.patch.feedbackOnRedirect = input.feedbackOnRedirect;
  if (input.paymentRetries !== undefined) {
    const text = input.paymentRetries.trim();
    const n = /^[0-9]{1,2}$/.test(text) ? Number(text) : Number.NaN;
    if (n >= 1 && n <= PAYMENT_RETRIES_MAX) c.patch.paymentRetries = n;
    else c.problems.push({ field: 'paymentRetries', code: 'invalid_number', detail: input.paymentRetries });
  }
}

function collectUrls(input: SettingsInput, env: EcommerceEnv, c: Collector, refused?: FeedbackHostRefused): void {
  const urls = [
    ['acceptUrl', false],
    ['declineUrl', false],
    ['exceptionUrl', false],
    ['cancelUrl', false],
    // Feedback carries order data server to server: the sender's rule (production: TLS only).
    ['s2sUrlAccepted', true],
    ['s2sUrlDeclined', true],
  ] as const;
  for (const [field, s2s] of urls) {
    const value = input[field];
    if (value === undefined) continue;
    const checked = checkUrl(value, s2s ? env : undefined, refused);
    if ('code' in checked) c.problems.push({ field, code: checked.code, detail: value.trim().slice(0, 200) });
    else c.patch[field] = checked.url;
  }
  if (input.referrers !== undefined) {
    const text = input.referrers.trim();
    const verdict = validateReferrerSetting(text);
    if (verdict.ok) c.patch.referrers = verdict.entries.map((e) => e.raw).join(';');
    else c.problems.push({ field: 'referrers', code: verdict.problem.code, ...('entry' in verdict.problem ? { detail: verdict.problem.entry } : {}) });
  }
}

function collectLists(input: SettingsInput, c: Collector): void {
  if (input.feedbackParams !== undefined) {
    const names = upperList(input.feedbackParams);
    const unknown = names.find((n) => !FEEDBACK_PARAMETERS.includes(n));
    if (unknown !== undefined) c.problems.push({ field: 'feedbackParams', code: 'unknown_parameter', detail: unknown.slice(0, 50) });
    // Kept in the catalogue's order, so the stored list does not depend on how it was typed.
    else c.patch.feedbackParams = FEEDBACK_PARAMETERS.filter((n) => names.includes(n));
  }
  if (input.enabledCurrencies !== undefined) {
    const codes = input.enabledCurrencies.map((s) => s.trim().toUpperCase()).filter((s, i, all) => s !== '' && all.indexOf(s) === i);
    const unknown = codes.find((code) => currency(code) === undefined);
    if (unknown !== undefined) c.problems.push({ field: 'enabledCurrencies', code: 'unknown_currency', detail: unknown.slice(0, 10) });
    else if (codes.length === 0) c.problems.push({ field: 'enabledCurrencies', code: 'no_currency' });
    else if (codes.length > CURRENCIES_MAX) c.problems.push({ field: 'enabledCurrencies', code: 'too_many' });
    else c.patch.enabledCurrencies = [...codes].sort();
  }
}

/**
 * Validates a settings change for `env`. `current` (the stored settings) is needed for the rules
 * that span fields: a server-to-server timing other than "none" needs the first URL. With
 * `feedbackHostRefused`, a server-to-server URL every delivery to which would be refused is too.
 */
export function validateSettings(
  input: SettingsInput,
  env: EcommerceEnv,
  current: TechnicalSettings,
  options: { feedbackHostRefused?: FeedbackHostRefused } = {},
): SettingsVerdict {
  const c: Collector = { patch: {}, problems: [] };
  collectChoices(input, c);
  collectUrls(input, env, c, options.feedbackHostRefused);
  collectLists(input, c);
  for (const field of ['shaIn', 'shaOut'] as const) {
    const value = input[field];
    if (value === undefined) continue;
    const checked = checkPassphraseInput(value);
    if (checked === undefined) continue;
    if ('code' in checked) c.problems.push({ field, code: checked.code });
    else c.patch[field] = checked.value;
  }
  const acceptsLegacy = collectLegacy(input, current, c);
  const merged = { ...current, ...c.patch };
  if (merged.s2sTiming !== 'none' && merged.s2sUrlAccepted === null && !c.problems.some((p) => p.field === 's2sUrlAccepted')) {
    c.problems.push({ field: 's2sUrlAccepted', code: 'url_required' });
  }
  if (c.problems.length === 0) return { ok: true, patch: c.patch, acceptsLegacy };
  // In the order of the page, so the summary at its top reads like the form below it.
  return { ok: false, problems: c.problems.sort((a, b) => FIELD_ORDER.indexOf(a.field) - FIELD_ORDER.indexOf(b.field)) };
}

/** Names of the settings a patch changes compared with `current` (passphrases by name only). */
export function changedFields(patch: SettingsPatch, current: TechnicalSettings & { shaInSet: boolean; shaOutSet: boolean }): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(patch) as Array<[keyof SettingsPatch, unknown]>) {
    if (key === 'shaIn' || key === 'shaOut') {
      // A passphrase typed again counts as a change: we never compare it with the stored one here.
      if (value !== null || current[key === 'shaIn' ? 'shaInSet' : 'shaOutSet']) out.push(key);
      continue;
    }
    if (JSON.stringify(value) !== JSON.stringify(current[key])) out.push(key);
  }
  return out;
}

/**
 * Test ≠ prod [ADV §11.1]: which test passphrases equal a production one (either kind: a test
 * passphrase that opens production requests is a production secret in a test system).
 */
export function testPassphrasesToReplace(
  test: { shaIn: string | null; shaOut: string | null },
  prod: { shaIn: string | null; shaOut: string | null },
): Array<'shaIn' | 'shaOut'> {
  const prodValues = [prod.shaIn, prod.shaOut].filter((v): v is string => v !== null);
  return (['shaIn', 'shaOut'] as const).filter((k) => {
    const value = test[k];
    return value !== null && prodValues.includes(value);
  });
}

/**
 * Settings copied to production must also be valid there (https server-to-server URLs), and legacy
 * hashing goes to production only where it was acknowledged for production itself.
 */
export function checkForProduction(settings: TechnicalSettings, prod: TechnicalSettings): SettingsProblem[] {
  const problems: SettingsProblem[] = [];
  if (settings.hashingMethod === 'main-parameters' && !legacyAcknowledged(prod)) problems.push({ field: 'hashingMethod', code: 'legacy_ack_required' });
  for (const field of ['s2sUrlAccepted', 's2sUrlDeclined'] as const) {
    const value = settings[field];
    if (value === null) continue;
    const checked = checkUrl(value, 'prod');
    if ('code' in checked) problems.push({ field, code: checked.code, detail: value.slice(0, 200) });
  }
  return problems;
}
