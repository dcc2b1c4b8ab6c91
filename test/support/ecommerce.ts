import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { TestApp } from './app.ts';
import { CLI, createOrganisation, issueKeys } from './subscriptions.ts';
import type { SettingsInput } from '../../src/modules/merchants/index.ts';

// Helpers for hosted-page tests: merchants through the merchant settings service, forms encoded
// byte by byte, and the test's OWN implementation of Ogone's SHA rule (from the published lists in
// docs/reference/ogone/, not from src/), so a bug in Varco's SHA code cannot hide in both places.

export const SHA_IN = 'Mysecretsig1875!?';
export const SHA_OUT = 'Out-passphrase-2026!';

type Pairs = Array<[string, string]>;
type Charset = 'latin1' | 'utf8';

function list(file: string): { names: Set<string>; families: string[]; order: string[] } {
  const lines = readFileSync(resolve(import.meta.dirname, '../../docs/reference/ogone', file), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return {
    names: new Set(lines.filter((l) => !l.includes('*XX*'))),
    families: lines.filter((l) => l.includes('*XX*')).map((l) => l.replace('*XX*', '')),
    order: lines,
  };
}
const SHA_IN_NAMES = list('shain-params.txt');
const SHA_OUT_NAMES = list('shaout-params.txt');

function listed(l: { names: Set<string>; families: string[] }, upper: string): boolean {
  return l.names.has(upper) || l.families.some((f) => upper.startsWith(f) && /^[0-9]+$/.test(upper.slice(f.length)));
}

/**
 * Ogone's rule, written independently: listed, non-empty parameters; names upper-cased; SHA-IN in
 * plain ASCII order, SHA-OUT in the order of the published SHA-OUT list (SCO_CATEGORY before
 * SCORING, as the platform sorts); `NAME=value` + passphrase after each; hex digest in upper case.
 */
export function ownSha(pairs: Pairs, passphrase: string, which: 'in' | 'out', alg: 'sha1' | 'sha256' | 'sha512' = 'sha512', charset: Charset = 'utf8'): string {
  const l = which === 'in' ? SHA_IN_NAMES : SHA_OUT_NAMES;
  const ascii = (a: [string, string], b: [string, string]): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
  const published = (a: [string, string], b: [string, string]): number => l.order.indexOf(a[0]) - l.order.indexOf(b[0]);
  const kept = pairs
    .map(([n, v]): [string, string] => [n.toUpperCase(), v])
    .filter(([n, v]) => v !== '' && listed(l, n))
    .sort(which === 'in' ? ascii : published);
  const text = kept.map(([n, v]) => `${n}=${v}${passphrase}`).join('');
  return createHash(alg)
    .update(Buffer.from(text, charset === 'utf8' ? 'utf8' : 'latin1'))
    .digest('hex')
    .toUpperCase();
}

/** `application/x-www-form-urlencoded` bytes as a browser on a page in `charset` would send them. */
export function formBytes(pairs: Pairs, charset: Charset): Buffer {
  const enc = (s: string): string =>
    [...Buffer.from(s, charset === 'utf8' ? 'utf8' : 'latin1')]
      .map((b) => (/[A-Za-z0-9._~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
      .join('');
  return Buffer.from(pairs.map(([n, v]) => `${enc(n)}=${enc(v)}`).join('&'), 'ascii');
}

/** Pairs of a query string whose escapes are bytes in `charset`. */
export function queryPairs(query: string, charset: Charset): Pairs {
  const q = query.startsWith('?') ? query.slice(1) : query;
  if (q === '') return [];
  return q.split('&').map((part) => {
    const [n = '', v = ''] = part.split(/=(.*)/s);
    const dec = (s: string): string =>
      Buffer.from(
        s.replace(/\+/g, ' ').replace(/%([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
        'latin1',
      ).toString(charset === 'utf8' ? 'utf8' : 'latin1');
    return [dec(n), dec(v)];
  });
}

/** Checks SHASIGN of feedback pairs with the test's own rule; returns the pairs as a map. */
export function verifyFeedback(
  pairs: Pairs,
  passphrase = SHA_OUT,
  alg: 'sha1' | 'sha256' | 'sha512' = 'sha512',
  charset: Charset = 'utf8',
): Map<string, string> {
  const shasign = pairs.find(([n]) => n === 'SHASIGN')?.[1];
  assert.ok(shasign, `no SHASIGN in ${JSON.stringify(pairs)}`);
  // PARAMPLUS keys are not signed: only genuine feedback names take part (the SHA-OUT list does that).
  assert.equal(
    shasign,
    ownSha(
      pairs.filter(([n]) => n !== 'SHASIGN'),
      passphrase,
      'out',
      alg,
      charset,
    ),
    'SHA-OUT digest',
  );
  return new Map(pairs);
}

export interface TestMerchant {
  organisationId: string;
  merchantId: string;
  pspid: string;
}

/** An organisation with an active `ecommerce` subscription (test, optionally prod), a merchant and its test settings. */
export async function createMerchant(t: TestApp, options: { pspid?: string; settings?: SettingsInput; prod?: boolean } = {}): Promise<TestMerchant> {
  const organisationId = await createOrganisation(t.database.db);
  await issueKeys(t.services, organisationId, 'ecommerce', 'test');
  if (options.prod) await issueKeys(t.services, organisationId, 'ecommerce', 'prod');
  const pspid = options.pspid ?? `shop${Math.random().toString(36).slice(2, 10)}`;
  const created = await t.services.merchants.create({ organisationId, pspid }, CLI);
  assert.ok(created.ok, created.ok ? '' : created.reason);
  const settings: SettingsInput = { shaIn: { action: 'set', value: SHA_IN, confirm: SHA_IN }, ...options.settings };
  const updated = await t.services.merchants.updateSettings(created.value.id, 'test', settings, CLI);
  assert.ok(updated.ok, updated.ok ? '' : JSON.stringify(updated.problems));
  settled(t);
  return { organisationId, merchantId: created.value.id, pspid };
}

export async function configure(t: TestApp, m: TestMerchant, settings: SettingsInput, env: 'test' | 'prod' = 'test'): Promise<void> {
  const updated = await t.services.merchants.updateSettings(m.merchantId, env, settings, CLI);
  assert.ok(updated.ok, updated.ok ? '' : JSON.stringify(updated.problems));
  settled(t);
}

/**
 * The hosted page caches configurations and drops them when PostgreSQL notifies a change, a moment
 * after the commit. A test that posts right after changing settings drops them itself, as the
 * process that made a change may (hosted-page-config.test.ts checks the notification path).
 */
function settled(t: TestApp): void {
  t.services.hostedPage.configs.invalidate();
}

/** A signed order (SHA-512, UTF-8 unless told) with the usual fields; `extra` added before signing. */
export function signedOrder(
  m: TestMerchant,
  orderId: string,
  extra: Pairs = [],
  options: { alg?: 'sha1' | 'sha256' | 'sha512'; charset?: Charset; passphrase?: string } = {},
): Pairs {
  // `extra` replaces a default of the same name (AMOUNT, LANGUAGE…) or adds a field.
  const defaults: Pairs = [
    ['PSPID', m.pspid],
    ['ORDERID', orderId],
    ['AMOUNT', '1500'],
    ['CURRENCY', 'EUR'],
    ['LANGUAGE', 'en_US'],
  ];
  const pairs: Pairs = [...defaults.filter(([n]) => !extra.some(([e]) => e === n)), ...extra];
  return [...pairs, ['SHASIGN', ownSha(pairs, options.passphrase ?? SHA_IN, 'in', options.alg ?? 'sha512', options.charset ?? 'utf8')]];
}

export function postEntry(
  app: FastifyInstance,
  pairs: Pairs,
  options: { page?: 'orderstandard.asp' | 'orderstandard_utf8.asp'; env?: 'test' | 'prod'; referer?: string } = {},
): Promise<LightMyRequestResponse> {
  const page = options.page ?? 'orderstandard_utf8.asp';
  return app.inject({
    method: 'POST',
    url: `/ncol/${options.env ?? 'test'}/${page}`,
    payload: formBytes(pairs, page === 'orderstandard.asp' ? 'latin1' : 'utf8'),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(options.referer ? { referer: options.referer } : {}) },
  });
}

/** The payment page address an accepted entry redirects to. */
export function payLocation(res: LightMyRequestResponse): { path: string; orderId: string; token: string } {
  assert.equal(res.statusCode, 303, res.body.slice(0, 400));
  const location = String(res.headers.location);
  const match = /^\/ncol\/(?:test|prod)\/pay\/(ord_[0-9a-z]{26})\?token=([A-Za-z0-9_-]+)$/.exec(location);
  assert.ok(match?.[1] && match[2], `payment page location: ${location}`);
  return { path: location, orderId: match[1], token: match[2] };
}

export const CARD = { holder: 'Ada Lovelace', number: '4111111111111111', expiry: '12/34', cvc: '913' };

export function postCard(
  app: FastifyInstance,
  pay: { orderId: string; token: string },
  card: Partial<typeof CARD> = {},
  env: 'test' | 'prod' = 'test',
): Promise<LightMyRequestResponse> {
  const c = { ...CARD, ...card };
  const body = new URLSearchParams({ token: pay.token, holder: c.holder, number: c.number, expiry: c.expiry, cvc: c.cvc }).toString();
  return app.inject({
    method: 'POST',
    url: `/ncol/${env}/pay/${pay.orderId}`,
    payload: body,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
}

export function postForm(app: FastifyInstance, url: string, fields: Record<string, string>): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url, payload: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
}

/** Error log rows of a merchant (or of unknown PSPIDs with merchant null), newest first. */
export function errorRows(t: TestApp, merchantId: string | null) {
  let q = t.database.db.selectFrom('ecommerce_errors').selectAll();
  q = merchantId === null ? q.where('merchant_id', 'is', null) : q.where('merchant_id', '=', merchantId);
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
}
