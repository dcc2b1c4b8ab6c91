import { test } from 'node:test';
import assert from 'node:assert/strict';
import { currentMenuItem } from './layout.ts';
import { adminNav, portalNav } from './nav.ts';

// The menu marks the item a page belongs to (aria-current="page"): the longest matching href, so a
// page under pagoPA messages is not also "pagoPA registry"; the surface's home only for itself.

test('the current menu item is the longest href that is the path or a parent of it', () => {
  const admin = adminNav('en');
  assert.equal(currentMenuItem(admin, '/admin/pagopa/exchanges'), '/admin/pagopa/exchanges');
  assert.equal(currentMenuItem(admin, '/admin/pagopa/exchanges/pex_1'), '/admin/pagopa/exchanges');
  assert.equal(currentMenuItem(admin, '/admin/pagopa'), '/admin/pagopa');
  assert.equal(currentMenuItem(admin, '/admin/audit/verify'), '/admin/audit');
  assert.equal(currentMenuItem(admin, '/admin/auditing'), undefined, 'a longer word is not a child');
  assert.equal(currentMenuItem(admin, '/admin'), undefined);
  assert.equal(currentMenuItem(admin, undefined), undefined);
  const portal = portalNav('en');
  assert.equal(currentMenuItem(portal, '/portal'), '/portal');
  assert.equal(currentMenuItem(portal, '/portal/account'), undefined, 'home is current only on itself');
  assert.equal(currentMenuItem(portal, '/portal/merchant/errors'), '/portal/merchant/errors');
  assert.equal(currentMenuItem(portal, '/portal/merchant'), '/portal/merchant');
});
