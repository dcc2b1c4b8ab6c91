/**
 * LANGUAGE values of the hosted page (docs/reference/ogone/hosted-page.md, "LANGUAGE"). The
 * platform's list is `ll_CC` with a few codes of its own that are not ISO 639-1: `dk_DK` Danish,
 * `se_SE` Swedish, `ar_AR` Arabic, `no_NO` Norwegian [Parameter Cookbook; MARLON; PRETIX]. Pure.
 */

/** The platform's LANGUAGE list, as its integration material writes it. */
export const OGONE_LANGUAGES: readonly string[] = Object.freeze(
  'ar_AR cs_CZ dk_DK de_DE el_GR en_US es_ES fi_FI fr_FR he_IL hu_HU it_IT ja_JP ko_KR nl_BE nl_NL no_NO pl_PL pt_PT ru_RU se_SE sk_SK tr_TR zh_CN'.split(' '),
);

/**
 * Spellings client libraries send for a listed language (pretix's list has `da_DK` for Danish):
 * accepted and kept as sent, read as the listed one.
 */
const VARIANTS: Readonly<Record<string, string>> = Object.freeze({ da_DK: 'dk_DK' });

const LISTED = new Set(OGONE_LANGUAGES);

export const DEFAULT_LANGUAGE = 'en_US';

/** A LANGUAGE value the page accepts (the list, or a known variant); others fall back to en_US. */
export function isOgoneLanguage(value: string): boolean {
  return LISTED.has(value) || Object.hasOwn(VARIANTS, value);
}

/** The listed code a value stands for (`da_DK` → `dk_DK`); the value itself otherwise. */
export function canonicalLanguage(value: string): string {
  return Object.hasOwn(VARIANTS, value) ? (VARIANTS[value] ?? value) : value;
}

/** The platform's own codes that are not `ISO 639-1 language _ ISO 3166 country`, as BCP 47. */
const BCP47: Readonly<Record<string, string>> = Object.freeze({
  dk_DK: 'da-DK',
  se_SE: 'sv-SE',
  no_NO: 'nb-NO',
  ar_AR: 'ar',
});

/** BCP 47 tag of a LANGUAGE value (`dk_DK` → `da-DK`), for `<html lang>` and number formats; `en` when it is not `ll_CC`. */
export function languageTag(value: string): string {
  const listed = canonicalLanguage(value);
  const special = BCP47[listed];
  if (special !== undefined) return special;
  return /^[a-z]{2}_[A-Z]{2}$/.test(listed) ? listed.replace('_', '-') : 'en';
}

/**
 * The first of `available` (translations, `ll_CC`) for a LANGUAGE value: the same code, else the
 * same language in another country (`nl_BE` → `nl_NL`), else `fallback`. The platform's own codes
 * are compared by the language they stand for (`dk_DK` is Danish, not a `dk` language).
 */
export function pickTranslation(value: string, available: readonly string[], fallback: string): string {
  if (available.includes(value)) return value;
  const language = languageTag(value).slice(0, 2);
  return available.find((code) => languageTag(code).slice(0, 2) === language) ?? fallback;
}
