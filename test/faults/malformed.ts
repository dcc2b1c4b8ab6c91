import fc from 'fast-check';
import { mistypedKey } from '../support/subscriptions.ts';

// Random malformed requests for the /ncol and /api surfaces (issue 6, fuzz): bad percent escapes
// and byte sequences, duplicate and missing names, huge values, wrong or absent content types,
// broken JSON, odd methods and paths. Some requests start from a valid one (a signed order, a
// real payment page, a real key) and change one thing, so the fuzz reaches past the first check.

export interface FuzzRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'OPTIONS' | 'HEAD';
  url: string;
  headers: Record<string, string>;
  payload?: Buffer;
}

export interface FuzzSeeds {
  /** A signed order's fields, valid as they are. */
  order: Array<[string, string]>;
  /** A real order's payment page and its token. */
  pay: { orderId: string; token: string };
  /** A valid API key of the `ecommerce` product (orders + ping). */
  apiKey: string;
}

const FIELD_NAMES = [
  'PSPID',
  'ORDERID',
  'AMOUNT',
  'CURRENCY',
  'LANGUAGE',
  'SHASIGN',
  'CN',
  'EMAIL',
  'ACCEPTURL',
  'DECLINEURL',
  'EXCEPTIONURL',
  'CANCELURL',
  'COMPLUS',
  'PARAMPLUS',
  'PARAMVAR',
  'TITLE',
  'BGCOLOR',
  'LOGO',
  'OPERATION',
  'ITEMNAME1',
  'ITEMPRICE1',
  'ITEMQUANT1',
  'TOKEN',
  'T',
  'HOLDER',
  'NUMBER',
  'EXPIRY',
  'CVC',
  'DECISION',
  'subscription-key',
  'lang',
];

const nasty = fc.constantFrom(
  '%',
  '%Z',
  '%zz',
  '%00',
  '%C3',
  '%C3%28',
  '%E9',
  '%FF%FE',
  '%ED%A0%80',
  '+',
  '&',
  '=',
  '==',
  '&&',
  '%26',
  '%3D',
  '\u0000',
  '\uFFFD',
  '\uD800',
  '😀',
  'é',
  '<script>',
  '"\'',
  '../..',
  '-1',
  '0',
  '1e309',
  '1.50',
  'NaN',
  ' 12 ',
  '99999999999999999999',
);
const hugeValue = fc.integer({ min: 1000, max: 70_000 }).map((n) => 'A'.repeat(n));
const value = fc.oneof(
  { weight: 20, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 12, arbitrary: nasty },
  { weight: 1, arbitrary: hugeValue },
  { weight: 8, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
);
const name = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...FIELD_NAMES).chain((n) => fc.constantFrom(n, n.toLowerCase(), `${n[0]}${n.slice(1).toLowerCase()}`)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: nasty },
  { weight: 1, arbitrary: fc.constant('A'.repeat(200)) },
);

/** encodeURIComponent, except that a lone surrogate (which it refuses) becomes the bytes a sloppy client would send. */
function encode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return '%ED%A0%80';
  }
}

/** Raw urlencoded bytes, escapes left as generated (so `%zz` and lone `%` stay broken). */
function rawForm(pairs: Array<[string, string]>, encodeSome: boolean): Buffer {
  const text = pairs.map(([n, v]) => (encodeSome ? `${encode(n)}=${v}` : `${n}=${v}`)).join('&');
  return Buffer.from(text, 'utf8');
}

const formBody = fc.tuple(fc.array(fc.tuple(name, value), { maxLength: 25 }), fc.boolean()).map(([pairs, enc]) => rawForm(pairs, enc));

/** A valid order with one change: a field dropped, duplicated (other case), emptied, replaced, or the digest altered. */
function mutatedOrder(seeds: FuzzSeeds): fc.Arbitrary<Buffer> {
  const order = seeds.order;
  return fc
    .tuple(fc.nat({ max: order.length - 1 }), fc.constantFrom('drop', 'duplicate', 'empty', 'replace', 'digest', 'append', 'none'), value)
    .map(([at, how, v]) => {
      const pairs = order.map(([n, x]): [string, string] => [n, x]);
      const [n = 'X', x = ''] = pairs[at] ?? [];
      if (how === 'drop') pairs.splice(at, 1);
      else if (how === 'duplicate') pairs.push([n.toLowerCase(), x]);
      else if (how === 'empty') pairs[at] = [n, ''];
      else if (how === 'replace') pairs[at] = [n, v];
      else if (how === 'digest') pairs.push(['SHASIGN', v]);
      else if (how === 'append') pairs.push([`${n}2`, v]);
      return Buffer.from(new URLSearchParams(pairs).toString(), 'ascii');
    });
}

const json = fc
  .oneof(
    fc.constantFrom(
      '{',
      '{"a":',
      '[1,2',
      'null',
      '"x"',
      '{"__proto__":{"polluted":1}}',
      '{"constructor":{"prototype":{"x":1}}}',
      `${'['.repeat(5000)}${']'.repeat(5000)}`,
      '{"a":1}{"b":2}',
      '\uFEFF{}',
      '',
    ),
    fc.json(),
  )
  .map((s) => Buffer.from(s, 'utf8'));

const contentType = fc.option(
  fc.constantFrom(
    'application/x-www-form-urlencoded',
    'application/x-www-form-urlencoded; charset=utf-8',
    'application/x-www-form-urlencoded; charset=ISO-8859-1',
    'APPLICATION/X-WWW-FORM-URLENCODED',
    'application/json',
    'application/json; charset=latin1',
    'multipart/form-data',
    'multipart/form-data; boundary=----x',
    'text/plain',
    'application/octet-stream',
    'text/html; charset=%%%',
    '',
    ';;;',
    'application/x-www-form-urlencoded, application/json',
    'application/*',
  ),
  { nil: undefined },
);

function pathFor(seeds: FuzzSeeds): fc.Arbitrary<string> {
  const id = fc.oneof(
    fc.constant(seeds.pay.orderId),
    fc.constant('ord_00000000000000000000000000'),
    fc.string({ maxLength: 30 }).map(encode),
    nasty.map(encode),
    fc.constantFrom('%', '%zz', '%00', '..%2F..', 'A'.repeat(3000), seeds.order.find(([n]) => n === 'ORDERID')?.[1] ?? 'x'),
  );
  const env = fc.constantFrom('test', 'prod', 'TEST', 'dev', '%00', '');
  return fc.oneof(
    fc
      .tuple(env, fc.constantFrom('orderstandard.asp', 'orderstandard_utf8.asp', 'ORDERSTANDARD.ASP', 'orderstandard.asp/', 'other.asp'))
      .map(([e, p]) => `/ncol/${e}/${p}`),
    fc.tuple(env, id, fc.constantFrom('', '/3ds', '/cancel', '/look.css', '/x')).map(([e, i, s]) => `/ncol/${e}/pay/${i}${s}`),
    fc.constantFrom('/ncol', '/ncol/', '/ncol/assets/pay.css', '/ncol/assets/pay.js', '/ncol/%', '/ncol//test//orderstandard.asp'),
    id.map((i) => `/api/v1/orders/${i}`),
    id.map((i) => `/api/v1/aliases/${i}`),
    fc.constantFrom(
      '/api/v1/ping',
      '/api/v1/ping/',
      '/api/v1/aliases',
      '/api/v1/aliases?after=%zz',
      '/api/docs',
      '/api/docs/json',
      '/api/docs/static/index.html',
      '/api',
      '/api/',
      '/api/v2/ping',
      '/api/v1/%zz',
      '/api//v1/ping',
      '/api/v1/ping%00',
    ),
  );
}

function queryFor(seeds: FuzzSeeds): fc.Arbitrary<string> {
  const pair = fc.oneof(
    fc.tuple(name, value).map(([n, v]) => `${n}=${v}`),
    fc.constant(`token=${seeds.pay.token}`),
    fc.constant(`subscription-key=${seeds.apiKey}`),
    fc.constant('subscription-key=vk_test_x&subscription-key=vk_test_y'),
    nasty,
  );
  return fc.option(
    fc.array(pair, { maxLength: 8 }).map((pairs) => `?${pairs.join('&')}`),
    { nil: '' },
  );
}

function headersFor(seeds: FuzzSeeds): fc.Arbitrary<Record<string, string>> {
  const key = fc.option(
    fc.oneof(
      fc.constant(seeds.apiKey),
      fc.constant(mistypedKey(seeds.apiKey)),
      fc.constant(seeds.apiKey.toUpperCase()),
      fc.string({ maxLength: 80 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
      fc.constant('vk_prod_'.padEnd(57, 'A')),
    ),
    { nil: undefined },
  );
  const header = (v: fc.Arbitrary<string>) =>
    fc.option(
      v.map((s) => s.replace(/[^\x20-\x7e]/g, '?')),
      { nil: undefined },
    );
  return fc
    .record({
      type: contentType,
      key,
      referer: header(fc.oneof(fc.webUrl(), fc.string({ maxLength: 40 }))),
      lang: header(fc.oneof(fc.constantFrom('it-IT,it;q=0.9', 'xx', '*;q=abc', ''), fc.string({ maxLength: 30 }))),
      cookie: header(fc.constantFrom('varco_admin=x', 'a=b; a=c', '==;;', `varco_portal=${'x'.repeat(3000)}`)),
    })
    .map((h) => {
      const out: Record<string, string> = {};
      if (h.type !== undefined) out['content-type'] = h.type;
      if (h.key !== undefined) out['ocp-apim-subscription-key'] = h.key;
      if (h.referer !== undefined) out.referer = h.referer;
      if (h.lang !== undefined) out['accept-language'] = h.lang;
      if (h.cookie !== undefined) out.cookie = h.cookie;
      return out;
    });
}

/** Over the 1 MiB body limit (and the hosted page's 256 KiB): one buffer, shared by every sample. */
const HUGE_BODY = Buffer.alloc(1100 * 1024, 0x41);

export function fuzzRequest(seeds: FuzzSeeds): fc.Arbitrary<FuzzRequest> {
  const body = fc.option(
    fc.oneof(
      { weight: 4, arbitrary: formBody },
      { weight: 3, arbitrary: mutatedOrder(seeds) },
      { weight: 2, arbitrary: json },
      { weight: 2, arbitrary: fc.uint8Array({ maxLength: 2000 }).map((b) => Buffer.from(b)) },
      { weight: 1, arbitrary: fc.constant(HUGE_BODY) },
    ),
    { nil: undefined, freq: 4 },
  );
  return fc
    .record({
      method: fc.constantFrom('GET', 'POST', 'POST', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'),
      path: pathFor(seeds),
      query: queryFor(seeds),
      headers: headersFor(seeds),
      body,
    })
    .map(({ method, path, query, headers, body: payload }) => ({
      method,
      url: `${path}${query}`,
      headers,
      ...(payload !== undefined && method !== 'GET' && method !== 'HEAD' ? { payload } : {}),
    }));
}

export function describeRequest(r: FuzzRequest): string {
  const body = r.payload === undefined ? '' : ` body(${r.payload.length} B): ${JSON.stringify(r.payload.subarray(0, 200).toString('latin1'))}`;
  return `${r.method} ${r.url.slice(0, 300)} ${JSON.stringify(r.headers).slice(0, 300)}${body}`;
}
