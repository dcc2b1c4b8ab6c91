import type { Locale } from './i18n.ts';

// Menus of the two signed-in surfaces, in one place so every page shows the same one.
const ADMIN = {
  en: [['/admin/organisations', 'Organisations'], ['/admin/subscriptions', 'Subscriptions'], ['/admin/products', 'Products'], ['/admin/stations', 'Stations'], ['/admin/trust', 'Trusted CAs'], ['/admin/pagopa/simulators', 'EC simulators'], ['/admin/mail', 'Mail']],
  it: [['/admin/organisations', 'Organizzazioni'], ['/admin/subscriptions', 'Sottoscrizioni'], ['/admin/products', 'Prodotti'], ['/admin/stations', 'Stazioni'], ['/admin/trust', 'CA attendibili'], ['/admin/pagopa/simulators', 'Simulatori EC'], ['/admin/mail', 'Posta']],
} as const;
const PORTAL = {
  en: [['/portal', 'Home'], ['/portal/products', 'Products'], ['/portal/subscriptions', 'Subscriptions'], ['/portal/stations', 'Stations'], ['/portal/certificates', 'Certificates'], ['/portal/merchant', 'Technical information'], ['/portal/merchant/errors', 'Error logs'], ['/portal/orders', 'Orders'], ['/portal/shasign', 'SHASIGN'], ['/portal/pagopa/simulator', 'Test EC scenarios']],
  it: [['/portal', 'Home'], ['/portal/products', 'Prodotti'], ['/portal/subscriptions', 'Sottoscrizioni'], ['/portal/stations', 'Stazioni'], ['/portal/certificates', 'Certificati'], ['/portal/merchant', 'Informazioni tecniche'], ['/portal/merchant/errors', 'Log degli errori'], ['/portal/orders', 'Ordini'], ['/portal/shasign', 'SHASIGN'], ['/portal/pagopa/simulator', 'Scenari EC di test']],
} as const;

export function adminNav(locale: Locale): Array<{ href: string; label: string }> {
  return ADMIN[locale].map(([href, label]) => ({ href, label }));
}

export function portalNav(locale: Locale): Array<{ href: string; label: string }> {
  return PORTAL[locale].map(([href, label]) => ({ href, label }));
}
