import type { Locale } from './i18n.ts';

// Menus of the two signed-in surfaces, in one place so every page shows the same one.
const ADMIN = {
  en: [['/admin/organisations', 'Organisations'], ['/admin/subscriptions', 'Subscriptions'], ['/admin/products', 'Products'], ['/admin/mail', 'Mail']],
  it: [['/admin/organisations', 'Organizzazioni'], ['/admin/subscriptions', 'Sottoscrizioni'], ['/admin/products', 'Prodotti'], ['/admin/mail', 'Posta']],
} as const;
const PORTAL = {
  en: [['/portal', 'Home'], ['/portal/products', 'Products'], ['/portal/subscriptions', 'Subscriptions']],
  it: [['/portal', 'Home'], ['/portal/products', 'Prodotti'], ['/portal/subscriptions', 'Sottoscrizioni']],
} as const;

export function adminNav(locale: Locale): Array<{ href: string; label: string }> {
  return ADMIN[locale].map(([href, label]) => ({ href, label }));
}

export function portalNav(locale: Locale): Array<{ href: string; label: string }> {
  return PORTAL[locale].map(([href, label]) => ({ href, label }));
}
