import type { Locale } from './i18n.ts';

// Menus of the two signed-in surfaces, in one place so every page shows the same one.
const ADMIN = {
  en: [
    ['/admin/organisations', 'Organisations'],
    ['/admin/subscriptions', 'Subscriptions'],
    ['/admin/products', 'Products'],
    ['/admin/stations', 'Stations'],
    ['/admin/proposals', 'Proposals'],
    ['/admin/pagopa', 'pagoPA registry'],
    ['/admin/pagopa/payments', 'pagoPA payments'],
    ['/admin/pagopa/exchanges', 'pagoPA messages'],
    ['/admin/pagopa/receipts', 'pagoPA receipts'],
    ['/admin/pagopa/simulators', 'EC simulators'],
    ['/admin/errors', 'Error logs'],
    ['/admin/audit', 'Audit log'],
    ['/admin/trust', 'Trusted CAs'],
    ['/admin/mail', 'Mail'],
    ['/admin/password', 'Change password'],
  ],
  it: [
    ['/admin/organisations', 'Organizzazioni'],
    ['/admin/subscriptions', 'Sottoscrizioni'],
    ['/admin/products', 'Prodotti'],
    ['/admin/stations', 'Stazioni'],
    ['/admin/proposals', 'Proposte'],
    ['/admin/pagopa', 'Anagrafica pagoPA'],
    ['/admin/pagopa/payments', 'Pagamenti pagoPA'],
    ['/admin/pagopa/exchanges', 'Messaggi pagoPA'],
    ['/admin/pagopa/receipts', 'Ricevute pagoPA'],
    ['/admin/pagopa/simulators', 'Simulatori EC'],
    ['/admin/errors', 'Log degli errori'],
    ['/admin/audit', 'Registro di audit'],
    ['/admin/trust', 'CA attendibili'],
    ['/admin/mail', 'Posta'],
    ['/admin/password', 'Cambia password'],
  ],
} as const;
const PORTAL = {
  en: [
    ['/portal', 'Home'],
    ['/portal/products', 'Products'],
    ['/portal/subscriptions', 'Subscriptions'],
    ['/portal/stations', 'Stations'],
    ['/portal/pagopa', 'pagoPA registry'],
    ['/portal/pagopa/payments', 'pagoPA payments'],
    ['/portal/pagopa/exchanges', 'pagoPA messages'],
    ['/portal/pagopa/receipts', 'pagoPA receipts'],
    ['/portal/pagopa/simulator', 'Test EC scenarios'],
    ['/portal/certificates', 'Certificates'],
    ['/portal/merchant', 'Technical information'],
    ['/portal/merchant/errors', 'Error logs'],
    ['/portal/orders', 'Orders'],
    ['/portal/shasign', 'SHASIGN'],
    ['/portal/password', 'Change password'],
  ],
  it: [
    ['/portal', 'Home'],
    ['/portal/products', 'Prodotti'],
    ['/portal/subscriptions', 'Sottoscrizioni'],
    ['/portal/stations', 'Stazioni'],
    ['/portal/pagopa', 'Anagrafica pagoPA'],
    ['/portal/pagopa/payments', 'Pagamenti pagoPA'],
    ['/portal/pagopa/exchanges', 'Messaggi pagoPA'],
    ['/portal/pagopa/receipts', 'Ricevute pagoPA'],
    ['/portal/pagopa/simulator', 'Scenari EC di test'],
    ['/portal/certificates', 'Certificati'],
    ['/portal/merchant', 'Informazioni tecniche'],
    ['/portal/merchant/errors', 'Log degli errori'],
    ['/portal/orders', 'Ordini'],
    ['/portal/shasign', 'SHASIGN'],
    ['/portal/password', 'Cambia password'],
  ],
} as const;

export function adminNav(locale: Locale): Array<{ href: string; label: string }> {
  return ADMIN[locale].map(([href, label]) => ({ href, label }));
}

export function portalNav(locale: Locale): Array<{ href: string; label: string }> {
  return PORTAL[locale].map(([href, label]) => ({ href, label }));
}

/** The pagoPA node's pages: stations, the registry, its payments, messages and receipts, the simulator, the client certificates. */
const NODE_PAGES = new Set([
  '/portal/stations',
  '/portal/pagopa',
  '/portal/pagopa/payments',
  '/portal/pagopa/exchanges',
  '/portal/pagopa/receipts',
  '/portal/pagopa/simulator',
  '/portal/certificates',
]);

/**
 * The portal menu for an organisation of `type`: a merchant is not a party to the pagoPA node (its
 * registry takes PSPs, their partners and creditor institutions), so its menu leaves those pages out
 * (they still answer, saying so); every other type may use both products.
 */
export function portalNavFor<T extends { href: string }>(nav: readonly T[], type: string | null): readonly T[] {
  return type === 'merchant' ? nav.filter((item) => !NODE_PAGES.has(item.href)) : nav;
}

/** Every table of this file by locale, for the test that compares the languages (test/support/string-tables.ts). */
export const NAV_TABLES = { admin: ADMIN, portal: PORTAL };
