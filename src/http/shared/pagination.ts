import { VarcoError } from '../../kernel/errors.ts';
import type { OrganisationsService } from '../../modules/organisations/index.ts';

// The searchable logs of the portal and the back office (pagoPA exchanges, receipts) page the same
// way: newest first, a cursor naming the last row shown (`before`), and one row more fetched than
// shown, whose presence says an older page exists. The form's values travel with every page link so
// the search is kept while paging.

/** A search form's value: trimmed text, '' when absent (the schema already refused anything but text). */
export function queryText(query: Record<string, unknown>, name: string): string {
  const value = query[name];
  return typeof value === 'string' ? value.trim() : '';
}

export const DAY_MS = 86_400_000;

/** A search refused as input (400): its reason in English (logs, the API) and in Italian (an Italian page). */
export function refuseSearch(en: string, it: string): never {
  throw new VarcoError('validation_failed', en, { it });
}

/** The reasons the back office's searches give, in both languages; `field` is the query parameter's name. */
export const searchRefusals = {
  tooLong: (field: string, max: number): never =>
    refuseSearch(`${field} must be at most ${max} characters.`, `${field} deve avere al massimo ${max} caratteri.`),
  oneOf: (field: string, values: readonly string[]): never =>
    refuseSearch(`${field} must be one of ${values.join(', ')}.`, `${field} deve essere uno tra ${values.join(', ')}.`),
  pageLink: (): never => refuseSearch('The page link is not valid.', 'Il link alla pagina non è valido.'),
};

/**
 * Parses and checks a search: the search it asks for, or, refused, its reason in the page's language, for
 * the list page to show above its form again (status 400) instead of an error page without the form.
 * Other errors pass through.
 */
export async function searchOrProblem<S>(
  locale: 'en' | 'it',
  parse: () => S | Promise<S>,
): Promise<{ search: S; problem?: undefined } | { search?: undefined; problem: string }> {
  try {
    return { search: await parse() };
  } catch (error) {
    if (!(error instanceof VarcoError) || error.code !== 'validation_failed') throw error;
    return { problem: locale === 'it' && error.it !== undefined ? error.it : error.message };
  }
}

/** A search form's date (`YYYY-MM-DD`, a UTC day) as its midnight; undefined when empty; anything else is a validation error naming `field`. */
export function queryDay(text: string, field: string): Date | undefined {
  if (text === '') return undefined;
  const at = /^\d{4}-\d{2}-\d{2}$/.test(text) ? new Date(`${text}T00:00:00Z`) : new Date(Number.NaN);
  if (Number.isNaN(at.getTime()) || at.toISOString().slice(0, 10) !== text)
    refuseSearch(`${field} must be a date (YYYY-MM-DD).`, `${field} deve essere una data (AAAA-MM-GG).`);
  return at;
}

/** A search form's values by name (the view's filter type: an interface, so no index signature). */
export type FormValues<V> = { readonly [K in keyof V]: string };

/** `base?name=value…&before=cursor`, without the empty fields; `base` alone when nothing is set. */
export function searchHref<V extends FormValues<V>>(base: string, values: V, before?: string): string {
  const params = new URLSearchParams();
  // FormValues says every value is text; Object.entries cannot carry that through a type parameter.
  for (const [name, value] of Object.entries(values) as Array<[string, string]>) if (value !== '') params.set(name, value);
  if (before) params.set('before', before);
  const query = params.toString();
  return query ? `${base}?${query}` : base;
}

export interface CursorPageInput<T, V extends FormValues<V>> {
  /** What the search returned, asked with `limit: pageSize + 1` (see fetchLimit). */
  fetched: readonly T[];
  pageSize: number;
  /** The cursor of a row: the next page starts after it. */
  cursorOf(row: T): string;
  /** The list page's path and the search form's values, kept in the page links. */
  base: string;
  values: V;
  /** The cursor this page was asked with, if any: then a link back to the newest rows is shown. */
  before: string | undefined;
}

export interface CursorPage<T> {
  rows: T[];
  /** The next (older) page, when there is one. */
  olderHref: string | null;
  /** The first page, when this is not it. */
  newestHref: string | null;
}

/** How many rows to ask for a page of `pageSize`: one more, to know whether an older page exists. */
export const fetchLimit = (pageSize: number): number => pageSize + 1;

export function cursorPage<T, V extends FormValues<V>>(input: CursorPageInput<T, V>): CursorPage<T> {
  const rows = input.fetched.slice(0, input.pageSize);
  const last = rows.at(-1);
  return {
    rows,
    olderHref: input.fetched.length > input.pageSize && last !== undefined ? searchHref(input.base, input.values, input.cursorOf(last)) : null,
    newestHref: input.before ? searchHref(input.base, input.values) : null,
  };
}

/** Organisation names by id, for the administrator's lists of rows several organisations are party to. */
export async function organisationNames(organisations: OrganisationsService, ids: ReadonlyArray<string | null>): Promise<Map<string, string>> {
  const distinct = [...new Set(ids.filter((id): id is string => id !== null))];
  const names = await organisations.names(distinct);
  // An organisation that no longer exists is named by its id.
  return new Map(distinct.map((id) => [id, names.get(id) ?? id]));
}
