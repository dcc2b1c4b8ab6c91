import type { Locale } from '../i18n.ts';
import { formatDateTime } from '../format.ts';

// Shared pieces of the e-mail wording: plain strings only (render.ts escapes them for HTML).

export interface MailWords {
  subject: string;
  greeting?: string;
  paragraphs: string[];
  /** Label of the link `params.link`. */
  action: string;
}

export type Params = Readonly<Record<string, string>>;
export type Wording = (p: Params) => MailWords;

/** ISO instants as the pages write them in the e-mail's language (`25 nov 2026, 14:03 UTC`); anything else as it came. */
export function formatInstant(locale: Locale, value: string): string {
  return formatDateTime(locale, value);
}

const ENVIRONMENT: Record<Locale, Record<string, string>> = {
  en: { test: 'test', prod: 'production' },
  it: { test: 'collaudo', prod: 'produzione' },
};
export const env = (locale: Locale, value: string | undefined): string => ENVIRONMENT[locale][value ?? ''] ?? value ?? '';
export const p = (params: Params, name: string): string => params[name] ?? '';

export function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** An optional free-text line (an administrator's comment or note): none when it is blank. */
export function optionalLine(value: string | undefined, label: string): string[] {
  return value === undefined || value.trim() === '' ? [] : [`${label}: ${value}`];
}

/** "Hello Anna," / "Ciao Anna," — or no greeting when the person's first name is not known. */
export function greetingFor(locale: Locale, params: Params): { greeting?: string } {
  const name = p(params, 'firstName');
  if (name === '') return {};
  return { greeting: locale === 'it' ? `Ciao ${name},` : `Hello ${name},` };
}
