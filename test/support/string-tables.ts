import { MESSAGE_TABLES } from '../../src/views/i18n.ts';
import { NAV_TABLES } from '../../src/views/nav.ts';
import { MERCHANT_TABLES } from '../../src/views/merchant/strings.ts';
import { EXCHANGE_TABLES } from '../../src/views/pagopa-exchanges/strings.ts';
import { RECEIPT_TABLES } from '../../src/views/pagopa-receipts/strings.ts';
import { PAYMENT_TABLES } from '../../src/views/pagopa-payments/strings.ts';
import { REGISTRY_TABLES } from '../../src/views/pagopa-registry/strings.ts';
import { SIMULATOR_TABLES } from '../../src/views/pagopa-simulator/strings.ts';
import { STATION_TABLES } from '../../src/views/stations/strings.ts';
import { SUBSCRIPTION_TABLES } from '../../src/views/subscriptions/strings.ts';
import { ORDER_TABLES } from '../../src/views/orders/portal.ts';
import { MAIL_PAGE_TABLES } from '../../src/views/admin/mail.ts';
import { ORGANISATION_TABLES } from '../../src/views/admin/organisations.ts';
import { INVITATION_TABLES } from '../../src/views/portal/invitation.ts';
import { payStrings } from '../../src/views/ncol/strings.ts';
import { CONFIRM_TABLES } from '../../src/views/shared/confirm-strings.ts';
import { ERROR_LOG_TABLES } from '../../src/views/merchant/error-log.ts';
import { COPY_TABLES } from '../../src/views/shared/copy.ts';
import { CONNECTION_TABLES } from '../../src/views/portal/connections.ts';
import { AUDIT_TABLES } from '../../src/views/admin/audit.ts';

// Every it/en string table of the pages, by surface, flattened to `surface.table.key.sub…` → text,
// for the test that compares the languages and for the walk's untranslated-text check.

type Tree = unknown;
export type Flat = Map<string, string>;

/** The surfaces' tables, each as { en, it } (the hosted page's by its LANGUAGE values). */
export const SURFACE_TABLES: Record<string, Record<string, { en: Tree; it: Tree }>> = {
  layout: MESSAGE_TABLES,
  nav: { admin: NAV_TABLES.admin, portal: NAV_TABLES.portal },
  merchant: MERCHANT_TABLES,
  exchanges: EXCHANGE_TABLES,
  receipts: RECEIPT_TABLES,
  payments: PAYMENT_TABLES,
  registry: REGISTRY_TABLES,
  simulator: SIMULATOR_TABLES,
  stations: STATION_TABLES,
  subscriptions: SUBSCRIPTION_TABLES,
  orders: ORDER_TABLES,
  mail: MAIL_PAGE_TABLES,
  organisations: ORGANISATION_TABLES,
  invitation: INVITATION_TABLES,
  ncol: { pages: { en: payStrings('en_US'), it: payStrings('it_IT') } },
  confirm: CONFIRM_TABLES,
  errorLog: ERROR_LOG_TABLES,
  copy: COPY_TABLES,
  connections: CONNECTION_TABLES,
  audit: AUDIT_TABLES,
};

export function flatten(tree: Tree, prefix = '', into: Flat = new Map()): Flat {
  if (typeof tree === 'string') into.set(prefix, tree);
  else if (typeof tree === 'function') into.set(prefix, String((tree as (...a: unknown[]) => unknown)('{x}', '{y}')));
  else if (tree !== null && typeof tree === 'object')
    for (const [key, value] of Object.entries(tree as Record<string, unknown>)) flatten(value, prefix ? `${prefix}.${key}` : key, into);
  return into;
}

/** Each table flattened, per language. */
export function flatTables(): Array<{ name: string; en: Flat; it: Flat }> {
  return Object.entries(SURFACE_TABLES).flatMap(([surface, tables]) =>
    Object.entries(tables).map(([table, { en, it }]) => ({ name: `${surface}.${table}`, en: flatten(en), it: flatten(it) })),
  );
}

/**
 * Sentences of one language that the other says differently: long enough (three words or more) to
 * be recognised on a page without matching a name or a code by chance. Placeholders split them.
 */
export function phrasesOnlyIn(locale: 'it' | 'en'): string[] {
  const other = locale === 'it' ? 'en' : 'it';
  const phrases = new Set<string>();
  for (const table of flatTables()) {
    for (const [key, text] of table[locale]) {
      if (table[other].get(key) === text) continue;
      for (const part of text.split(/\{\w+\}|[()"«»“”:;·]/))
        if (part.trim().split(/\s+/).length >= 3 && part.trim().length >= 15) phrases.add(part.trim().replace(/[.,]$/, ''));
    }
  }
  return [...phrases];
}
