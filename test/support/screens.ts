import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

// Where the walk (test/e2e/walk.test.ts) saves its screenshots, when asked to: `npm run screens`
// sets VARCO_SCREENS=1, so `npm test` never rewrites docs/screens/ (see docs/screens/README.md).

export const SCREENS = process.env.VARCO_SCREENS === '1';

export interface Viewport {
  name: string;
  size: { width: number; height: number };
}

export const VIEWPORTS = {
  desktop: { name: '1280', size: { width: 1280, height: 800 } },
  phone: { name: '390', size: { width: 390, height: 844 } },
} satisfies Record<string, Viewport>;

const DIR = resolve(import.meta.dirname, '../../docs/screens');

/** `docs/screens/it-390-portal-stations-sta-id.jpg`: ids replaced, so each page has one file whatever the run. */
export function screenFile(locale: string, viewport: Viewport, path: string): string {
  mkdirSync(DIR, { recursive: true });
  const slug = path
    .replace(/\?token=.*$/, '') // the invitation's secret token is not part of a file name
    .replace(/[^a-z0-9]+/gi, '-')
    .replace(/^-|-$/g, '')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, 'id')
    // Varco's ids (sta_01m9…: a prefix and 26 characters) change with every run: one file per page.
    .replace(/\b([a-z]{3})-[0-9a-z]{26}\b/g, '$1-id');
  return join(DIR, `${locale}-${viewport.name}-${slug}.jpg`);
}
