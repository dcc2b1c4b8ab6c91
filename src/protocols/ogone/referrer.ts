/**
 * The referrer check of the hosted page (docs/reference/ogone/hosted-page.md, "Referrer").
 *
 * Setting: URLs separated by `;`, no spaces, each starting `http://` or `https://`; empty disables
 * the check. An entry is either just the domain (`https://shop.example`, every page of that origin
 * is accepted) or a full page URL (`https://shop.example/checkout/pay.php`).
 *
 * Browsers send only the origin (`https://shop.example/`) to another site under the default
 * `Referrer-Policy: strict-origin-when-cross-origin`, so a full page URL also matches a referrer
 * that is exactly its origin. Without that rule, a merchant's full-URL entry would reject every
 * modern browser.
 *
 * Our choices where the platform is silent: scheme, host and port must be equal (a prefix test on
 * strings would let `https://shop.example.evil.test` through); query and fragment are not
 * compared; paths compare case-insensitively (shops on IIS answer to any casing); an entry ending
 * in `/` other than the root accepts every page below that folder.
 */

export interface ReferrerEntry {
  /** As configured. */
  readonly raw: string;
  /** `scheme://host[:port]`, normalised by the URL parser (lower-case host, punycode, default port dropped). */
  readonly origin: string;
  /** `null`: the whole origin. Otherwise the lower-cased path, matched exactly or (ending `/`) as a folder. */
  readonly path: string | null;
}

export type ReferrerSettingProblem =
  | { readonly code: 'contains_space' }
  | { readonly code: 'too_long'; readonly limit: number }
  | { readonly code: 'too_many'; readonly limit: number }
  | { readonly code: 'not_http'; readonly entry: string }
  | { readonly code: 'invalid_url'; readonly entry: string };

export type ReferrerSettingResult =
  { readonly ok: true; readonly entries: readonly ReferrerEntry[] } | { readonly ok: false; readonly problem: ReferrerSettingProblem };

export const REFERRER_SETTING_MAX_LENGTH = 2000;
export const REFERRER_SETTING_MAX_ENTRIES = 50;

function parseEntry(raw: string): ReferrerEntry | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') return undefined;
  // Credentials in a referrer setting are a mistake, and browsers never send them in Referer.
  if (url.username !== '' || url.password !== '') return undefined;
  const path = url.pathname === '/' ? null : url.pathname.toLowerCase();
  return { raw, origin: url.origin, path };
}

/** Validates the *referrer URLs* field of the technical settings. */
export function validateReferrerSetting(text: string): ReferrerSettingResult {
  if (text === '') return { ok: true, entries: [] };
  if (/\s/.test(text)) return { ok: false, problem: { code: 'contains_space' } };
  if (text.length > REFERRER_SETTING_MAX_LENGTH) return { ok: false, problem: { code: 'too_long', limit: REFERRER_SETTING_MAX_LENGTH } };
  // A trailing or doubled `;` is harmless and common when lists are pasted: empty entries are skipped.
  const raws = text.split(';').filter((e) => e !== '');
  if (raws.length > REFERRER_SETTING_MAX_ENTRIES) return { ok: false, problem: { code: 'too_many', limit: REFERRER_SETTING_MAX_ENTRIES } };
  const entries: ReferrerEntry[] = [];
  for (const raw of raws) {
    if (!/^https?:\/\//i.test(raw)) return { ok: false, problem: { code: 'not_http', entry: raw } };
    const entry = parseEntry(raw);
    if (entry === undefined) return { ok: false, problem: { code: 'invalid_url', entry: raw } };
    entries.push(entry);
  }
  return { ok: true, entries };
}

export type ReferrerCheck =
  /** `enforced: false` when the list is empty (check disabled); `matched` is the entry that matched. */
  { readonly ok: true; readonly enforced: boolean; readonly matched?: string } | { readonly ok: false; readonly reason: 'missing' | 'not_allowed' };

function pathMatches(entryPath: string, refPath: string): boolean {
  return entryPath.endsWith('/') ? refPath.startsWith(entryPath) : refPath === entryPath;
}

/**
 * Checks a request's `Referer` header against the setting (the text as stored, or entries
 * already validated). Entries that do not validate are ignored rather than matched loosely.
 */
export function checkReferrer(setting: string | readonly ReferrerEntry[], referrer: string | null | undefined): ReferrerCheck {
  const entries = typeof setting === 'string' ? storedEntries(setting) : setting;
  // A non-empty stored text without one valid entry still enforces (and matches nothing): a
  // corrupted setting must not silently switch the check off.
  const configured = typeof setting === 'string' ? setting.trim() !== '' : entries.length > 0;
  if (!configured) return { ok: true, enforced: false };
  if (referrer === undefined || referrer === null || referrer.trim() === '') return { ok: false, reason: 'missing' };
  let url: URL;
  try {
    url = new URL(referrer.trim());
  } catch {
    return { ok: false, reason: 'not_allowed' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, reason: 'not_allowed' };
  const refPath = url.pathname.toLowerCase();
  const originOnly = url.pathname === '/' && url.search === '' && url.hash === '';
  for (const entry of entries) {
    if (entry.origin !== url.origin) continue;
    if (entry.path === null || originOnly || pathMatches(entry.path, refPath)) return { ok: true, enforced: true, matched: entry.raw };
  }
  return { ok: false, reason: 'not_allowed' };
}

function storedEntries(text: string): ReferrerEntry[] {
  const out: ReferrerEntry[] = [];
  for (const raw of text.split(';')) {
    const trimmed = raw.trim();
    if (trimmed === '') continue;
    const entry = /^https?:\/\//i.test(trimmed) ? parseEntry(trimmed) : undefined;
    if (entry !== undefined) out.push(entry);
  }
  return out;
}
