import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { TestApp } from './app.ts';
import { formBytes, ownSha, SHA_IN, type TestMerchant } from './ecommerce.ts';
import { CLI } from './subscriptions.ts';

// Helpers for DirectLink tests: an API user per merchant, requests signed with the test's OWN SHA
// rule (support/ecommerce.ts ownSha over docs/reference/ogone/shain-params.txt), and a reader of
// the `<ncresponse/>` answer written here from the platform's published examples, not from src/.

type Pairs = Array<[string, string]>;

export const API_PASSWORD = 'Api-user-password-2026!';

export interface DirectLinkUser {
  userid: string;
  password: string;
}

/** An API user of `m` in `env` (the merchant must hold a PSPID there). */
export async function createApiUser(t: TestApp, m: TestMerchant, userid = 'api-user', env: 'test' | 'prod' = 'test'): Promise<DirectLinkUser> {
  const saved = await t.services.apiUsers.save({ merchantId: m.merchantId, env, userid, password: API_PASSWORD }, CLI);
  assert.ok(saved.ok, saved.ok ? '' : saved.reason);
  return { userid, password: API_PASSWORD };
}

/** PSPID, USERID, PSWD and `fields`, signed (SHA-512 over the SHA-IN list, as ISO-8859-1 or UTF-8 bytes). */
export function signedDirect(
  m: TestMerchant,
  user: DirectLinkUser,
  fields: Pairs,
  options: { passphrase?: string; alg?: 'sha1' | 'sha256' | 'sha512'; charset?: 'latin1' | 'utf8' } = {},
): Pairs {
  const pairs: Pairs = [['PSPID', m.pspid], ['USERID', user.userid], ['PSWD', user.password], ...fields];
  return [...pairs, ['SHASIGN', ownSha(pairs, options.passphrase ?? SHA_IN, 'in', options.alg ?? 'sha512', options.charset ?? 'latin1')]];
}

export type DirectPage =
  'orderdirect.asp' | 'querydirect.asp' | 'maintenancedirect.asp' | 'orderdirect_utf8.asp' | 'querydirect_utf8.asp' | 'maintenancedirect_utf8.asp';

export function postDirect(app: FastifyInstance, page: DirectPage, pairs: Pairs, env: 'test' | 'prod' = 'test'): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url: `/ncol/${env}/${page}`,
    payload: formBytes(pairs, page.includes('_utf8') ? 'utf8' : 'latin1'),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
}

export interface NcAnswer {
  attributes: Map<string, string>;
  names: string[];
  htmlAnswer: string | undefined;
}

function unescapeXml(value: string): string {
  return value.replace(/&(#x?[0-9A-Fa-f]+|amp|lt|gt|quot|apos);/g, (_m, e: string) => {
    if (e === 'amp') return '&';
    if (e === 'lt') return '<';
    if (e === 'gt') return '>';
    if (e === 'quot') return '"';
    if (e === 'apos') return "'";
    return String.fromCodePoint(e.startsWith('#x') ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });
}

/** Reads `<?xml version="1.0"?><ncresponse a="…" …>[<HTML_ANSWER>…</HTML_ANSWER>]</ncresponse>`. */
export function readNcResponse(xml: string): NcAnswer {
  const m =
    /^<\?xml version="1\.0"\?><ncresponse((?:\s+[A-Za-z_]+="[^"<]*")*)\s*(?:\/>|>\s*(?:<HTML_ANSWER>([A-Za-z0-9+/=\s]*)<\/HTML_ANSWER>\s*)?<\/ncresponse>)$/.exec(
      xml,
    );
  assert.ok(m, `not an ncresponse: ${xml.slice(0, 300)}`);
  const names: string[] = [];
  const attributes = new Map<string, string>();
  for (const a of (m[1] ?? '').matchAll(/([A-Za-z_]+)="([^"]*)"/g)) {
    names.push(a[1]!);
    attributes.set(a[1]!, unescapeXml(a[2]!));
  }
  return { attributes, names, htmlAnswer: m[2]?.replace(/\s+/g, '') };
}

/** The answer of a DirectLink response: HTTP 200 and XML, attributes by name. */
export function ncAnswer(res: LightMyRequestResponse | { statusCode: number; headers: Record<string, unknown>; body: string }, status = 200): NcAnswer {
  assert.equal(res.statusCode, status, res.body.slice(0, 400));
  assert.match(String(res.headers['content-type']), /^text\/xml; charset=(iso-8859-1|utf-8)$/);
  return readNcResponse(res.body);
}
