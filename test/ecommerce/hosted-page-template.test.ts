// The dynamic template (TP, issue 13) from a real HTTPS template server: the payment zone inserted at
// $$$PAYMENT ZONE$$$, served under Varco's CSP with the template's scripts removed, the template kept
// in PostgreSQL (a second page view fetches nothing). Whatever cannot be used — http://, a private
// address, too large, too slow, no marker — gives the standard page, as the platform falls back to
// its static template.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { buildTestApp } from '../support/app.ts';
import { SHA_IN, configure, createMerchant, payLocation, postEntry, signedOrder, type TestMerchant } from '../support/ecommerce.ts';
import { makeCa, makeLeaf, startPeer, type Peer, type PeerRequest } from '../support/tls-peers.ts';
import { testDestinations } from '../support/outbound.ts';
import { createTemplateFetcher } from '../../src/modules/checkout/index.ts';
import { createDestinationPolicy, createOutboundClient, type DestinationPolicy } from '../../src/modules/outbound/index.ts';
import { systemClock } from '../../src/kernel/clock.ts';

const t = await buildTestApp();
const { app, services } = t;
const db = t.database.db;
const ADMIN = { type: 'admin' as const, id: null, ip: null };

const TEMPLATE = `<!doctype html><html><head><title>Shop checkout</title>
<meta http-equiv="refresh" content="0;url=https://evil.example/">
<link rel="stylesheet" href="/shop.css">
<script>document.title = 'inline ran'</script><script src="https://evil.example/x.js"></script>
</head><body onload="steal()"><header>Shop header</header>
<img src="/logo.png" onerror="steal()"><a href="javascript:steal()">home</a><iframe src="https://evil.example/"></iframe>
<section>$$$PAYMENT ZONE$$$</section><footer>Shop footer</footer></body></html>`;

// Each forbidden element hidden by an attribute the neutraliser removes: taking it out joins `<me` and `ta` again.
const SPLICED = `<!doctype html><html><head><title>Shop</title>
<me onx="1"ta http-equiv="refresh" content="0;url=https://evil.example/">
<scr onx="1"ipt src="/ncol/assets/pay.js?evil"></script>
<ba onx="1"se href="https://evil.example/">
</head><body><header>Shop header</header><img/onerror=steal() src=x><svg/onload=steal()></svg>
<section>$$$PAYMENT ZONE$$$</section></body></html>`;

// Handlers glued to the value before them: no space, yet a browser reads a new attribute after a closing quote.
const GLUED = `<!doctype html><html><head><title>Shop</title></head><body><header>Shop header</header>
<img src="/logo.png"onerror="steal()"><a href='/home'onclick=steal()>home</a><svg x=""onload=steal()></svg>
<section>$$$PAYMENT ZONE$$$</section></body></html>`;

// javascript: URLs as a browser reads them after decoding character references and dropping tabs.
const ENCODED = `<!doctype html><html><head><title>Shop</title></head><body><header>Shop header</header>
<a href="&#106;avascript:steal()">a</a><a href='java&#x09;script:steal()'>b</a><a href=javascript&colon;steal()>c</a>
<a href="&#X6A;&#97vascript:steal()">d</a><img src=" &#0000106;avascript:steal()"><a href="/home?a=1&amp;b=2">home</a>
<section>$$$PAYMENT ZONE$$$</section></body></html>`;

// A page wrapped in one form, as ASP.NET WebForms pages are: Varco's card form would be nested in it.
const WRAPPED = `<!doctype html><html><head><title>Shop</title></head><body>
<form method="post" action="https://shop.example/collect" id="aspnetForm"><header>Shop header</header>
<section>$$$PAYMENT ZONE$$$</section><input type="hidden" name="__VIEWSTATE" value="x"></form></body></html>`;

// Openings without an end (a comment, a script, a tag's '>'): within the size limit, and each used to cost a scan to the end.
const UNENDED = `<html><body>$$$PAYMENT ZONE$$$${'<!--'.repeat(12_000)}${'<script '.repeat(24_000)}</body></html>`;

const BIG = `<html><body>$$$PAYMENT ZONE$$$${'x'.repeat(300 * 1024)}</body></html>`;

// Older shops' templates, and a variant of the platform's own hosted page, are in ISO-8859-1 or
// windows-1252, not UTF-8. Bytes, as such a server sends them: 0xE9 é, 0xE8 è, 0xF4 ô, 0x80 € (windows-1252).
const latin1 = (text: string): Buffer => Buffer.from(text, 'latin1');
const SHOP_TEXT = 'Caf\u00e9 Cr\u00e8me \u2014 H\u00f4tel, 12 \u20ac';
const shopBytes = (): Buffer => Buffer.concat([latin1('Caf\u00e9 Cr\u00e8me '), Buffer.from([0x97]), latin1(' H\u00f4tel, 12 '), Buffer.from([0x80])]);
const latinTemplate = (head: string, prologue = '<!doctype html><html>'): Buffer =>
  Buffer.concat([
    latin1(`${prologue}<head>${head}<title>Boutique</title></head><body><header>`),
    shopBytes(),
    latin1('</header><section>$$$PAYMENT ZONE$$$</section></body></html>'),
  ]);
const CHARSETS: Record<string, { type: string; body: Buffer }> = {
  '/latin1-header.html': { type: 'text/html; charset=ISO-8859-1', body: latinTemplate('') },
  '/latin1-meta.html': { type: 'text/html', body: latinTemplate('<meta charset="windows-1252">') },
  // The template's own head is longer than the 1024 bytes a browser looks at for a declaration.
  '/latin1-long-head.html': {
    type: 'text/html',
    body: latinTemplate(`<meta charset="iso-8859-1">${'<link rel="stylesheet" href="/shop.css">\n'.repeat(40)}`),
  },
  // XHTML: its XML declaration names the encoding (and is not served: the page is UTF-8).
  '/latin1-xhtml.html': {
    type: 'application/xhtml+xml',
    body: latinTemplate('', `<?xml version="1.0" encoding="ISO-8859-1"?>\n<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml">`),
  },
  '/latin1-http-equiv.html': { type: 'text/html', body: latinTemplate('<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=iso-8859-1">') },
  // The header's charset decides over the page's own declaration.
  '/utf8-header-latin1-meta.html': {
    type: 'text/html; charset="utf-8"',
    body: Buffer.from(`<!doctype html><html><head><meta charset="iso-8859-1"></head><body><header>${SHOP_TEXT}</header>$$$PAYMENT ZONE$$$</body></html>`),
  },
  // A label no encoding has: UTF-8, as without one.
  '/unknown-charset.html': {
    type: 'text/html; charset=x-no-such-charset',
    body: Buffer.from(`<html><head><meta charset="x-no-such-charset-either"></head><body><header>${SHOP_TEXT}</header>$$$PAYMENT ZONE$$$</body></html>`),
  },
};

function templates(request: PeerRequest) {
  const path = new URL(request.url, 'https://x').pathname;
  if (path === '/latin1-big.html')
    return {
      status: 200,
      headers: { 'content-type': 'text/html; charset=latin1' },
      body: latin1(`<html><body>$$$PAYMENT ZONE$$$${'\u00e9'.repeat(200 * 1024)}</body></html>`),
    };
  if (path === '/nul.html')
    return {
      status: 200,
      headers: { 'content-type': 'text/html; charset=iso-8859-1' },
      body: latin1('<html><body><header>Caf\u00e9\0</header>$$$PAYMENT ZONE$$$</body></html>'),
    };
  const charset = CHARSETS[path];
  if (charset !== undefined) return { status: 200, headers: { 'content-type': charset.type }, body: charset.body };
  if (path === '/template.html') return { status: 200, headers: { 'content-type': 'text/html' }, body: TEMPLATE };
  if (path === '/big.html') return { status: 200, headers: { 'content-type': 'text/html' }, body: BIG };
  if (path === '/no-marker.html') return { status: 200, headers: { 'content-type': 'text/html' }, body: '<html><body>no zone</body></html>' };
  if (path === '/spliced.html') return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: SPLICED };
  if (path === '/glued.html') return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: GLUED };
  if (path === '/encoded.html') return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: ENCODED };
  if (path === '/wrapped.html') return { status: 200, headers: { 'content-type': 'text/html' }, body: WRAPPED };
  if (path === '/template.json') return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ page: TEMPLATE }) };
  if (path === '/untyped') return { status: 200, body: TEMPLATE };
  if (path === '/unended.html') return { status: 200, headers: { 'content-type': 'text/html' }, body: UNENDED };
  if (path === '/slow.html') return undefined;
  return { status: 404 };
}

const ca = await makeCa({ name: 'Template Server CA' });
const peer: Peer = await startPeer({
  leaf: await makeLeaf({ issuer: ca, commonName: 'localhost', altNames: ['localhost'] }),
  requestCert: false,
  reply: templates,
});
assert.ok((await services.trust.add('test', ca.certPem, { allOrganisations: true }, ADMIN)).ok);
const m: TestMerchant = await createMerchant(t);

let orders = 0;
/** Enters an order with TP and opens its payment page. */
async function pageWith(tp: string) {
  const pay = payLocation(await postEntry(app, signedOrder(m, `tpl-${++orders}`, [['TP', tp]])));
  return app.inject({ method: 'GET', url: pay.path });
}

const requestsFor = (path: string): number => peer.requests.filter((r) => r.url.startsWith(path)).length;
const isStandardPage = (body: string): boolean => body.includes('name="number"') && !body.includes('Shop header');

describe('dynamic template', () => {
  it('the payment zone is inserted at the marker, under Varco\u2019s CSP, with the template\u2019s scripts removed', async () => {
    const res = await pageWith(peer.url('/template.html'));
    assert.equal(res.statusCode, 200);
    const body = res.body;
    assert.match(body, /<header>Shop header<\/header>/);
    assert.match(body, /<section><main>[\s\S]*name="number"[\s\S]*<\/main><\/section><footer>Shop footer<\/footer>/);
    assert.ok(!body.includes('$$$PAYMENT ZONE$$$'));
    assert.match(body, /<script src="\/ncol\/assets\/pay\.js" integrity=/, 'Varco\u2019s own script stays');
    assert.equal((body.match(/<script/g) ?? []).length, 1, 'no template script');
    assert.doesNotMatch(body, /onload|onerror|javascript:|<iframe|http-equiv|evil\.example/i);
    const csp = String(res.headers['content-security-policy']);
    const origin = new URL(peer.url('/')).origin;
    assert.match(csp, /script-src 'self';/, 'scripts: Varco\u2019s only');
    assert.ok(csp.includes(`style-src 'self' ${origin}`) && csp.includes(`img-src 'self' ${origin}`), csp);
    assert.doesNotMatch(csp, /unsafe-inline/);
  });

  it('an element the neutraliser removes cannot be rebuilt from the pieces left around a removed attribute', async () => {
    const res = await pageWith(peer.url('/spliced.html'));
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /<header>Shop header<\/header>/);
    // A <meta http-equiv="refresh"> would take the customer to another site: CSP does not stop it.
    assert.doesNotMatch(res.body, /<meta\b[^>]*(http-equiv|refresh)/i);
    assert.doesNotMatch(res.body, /<base\b/i);
    assert.equal((res.body.match(/<script\b/gi) ?? []).length, 1, 'Varco\u2019s script only');
    assert.doesNotMatch(res.body, /[\s/]on(error|load)\s*=/i);
  });

  it('an event handler written right after a quoted value (no space between) is removed too', async () => {
    const res = await pageWith(peer.url('/glued.html'));
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /<header>Shop header<\/header>/);
    assert.doesNotMatch(res.body, /on(error|click|load)\s*=/i);
    assert.match(res.body, /<img src="\/logo\.png" ?>/, 'the rest of the tag stays');
  });

  it('a javascript: URL written with character references or a tab is neutralised too; other links stay', async () => {
    const res = await pageWith(peer.url('/encoded.html'));
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /<header>Shop header<\/header>/);
    assert.doesNotMatch(res.body, /steal/);
    assert.equal((res.body.match(/(href|src)="about:blank#"/g) ?? []).length, 5);
    assert.match(res.body, /<a href="\/home\?a=1&amp;b=2">home<\/a>/);
  });

  it('a template wrapped in its own form does not capture the card form: the template\u2019s form tags are removed', async () => {
    const res = await pageWith(peer.url('/wrapped.html'));
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /<header>Shop header<\/header>/);
    // Browsers ignore a <form> inside another: the card number would be posted to the template's action.
    assert.doesNotMatch(res.body, /shop\.example\/collect|aspnetForm/);
    const forms = res.body.match(/<form\b[^>]*>/g) ?? [];
    assert.ok(forms.length > 0);
    for (const tag of forms) assert.match(tag, /action="\/ncol\//, tag);
    assert.equal((res.body.match(/<\/form\s*>/g) ?? []).length, forms.length, 'only Varco\u2019s forms are closed');
  });

  it('a template full of openings without an end is served in linear time: the event loop is not held', async () => {
    assert.ok(Buffer.byteLength(UNENDED) < 256 * 1024);
    await pageWith(peer.url('/unended.html'));
    // Kept now: the second page view is the neutraliser's work alone (it runs at every view).
    const started = performance.now();
    const res = await pageWith(peer.url('/unended.html'));
    const took = performance.now() - started;
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /name="number"/);
    assert.ok(took < 1500, `${Math.round(took)} ms for one page view`);
  });

  it('a template in ISO-8859-1 or windows-1252 (by its Content-Type, or its meta charset) reads right, and the page says the charset it is served in', async () => {
    for (const path of Object.keys(CHARSETS)) {
      const res = await pageWith(peer.url(path));
      assert.equal(res.statusCode, 200, path);
      assert.ok(res.body.includes(`<header>${SHOP_TEXT}</header>`), `${path}: ${/<header>[^<]*/.exec(res.body)?.[0] ?? 'no header'}`);
      assert.ok(!res.body.includes('\ufffd'), path);
      // Served in UTF-8, and said so by the header and by the one declaration in the page, near its start.
      assert.equal(res.headers['content-type'], 'text/html; charset=utf-8', path);
      assert.ok(res.rawPayload.includes(Buffer.from(SHOP_TEXT, 'utf8')), path);
      const declarations = [...res.body.matchAll(/<meta\b[^>]*\bcharset\s*=\s*["']?([^"'\s;>]+)/gi)].map((m) => m[1]?.toLowerCase());
      assert.deepEqual(declarations, ['utf-8'], path);
      assert.ok(res.rawPayload.subarray(0, 1024).includes('<meta charset="utf-8">'), `${path}: declared within the first 1024 bytes`);
      assert.doesNotMatch(res.body, /<\?xml/, path);
    }
  });

  it('a template that fits in 256 KiB as latin-1 but not in UTF-8, or holds a NUL byte, is no 500', async () => {
    const res = await pageWith(peer.url('/latin1-big.html'));
    assert.equal(res.statusCode, 200);
    assert.ok(isStandardPage(res.body));
    const row = await db.selectFrom('page_templates').selectAll().where('url', '=', peer.url('/latin1-big.html')).executeTakeFirstOrThrow();
    assert.match(row.problem ?? '', /larger than 262144 bytes in UTF-8/);
    // PostgreSQL's text holds no NUL: a browser shows one as U+FFFD, and so is it kept.
    const nul = await pageWith(peer.url('/nul.html'));
    assert.equal(nul.statusCode, 200);
    assert.ok(nul.body.includes('<header>Caf\u00e9\ufffd</header>'), /<header>[^<]*/.exec(nul.body)?.[0]);
  });

  it('an answer that is not HTML (another content type, or none) is not a template: the standard page, the reason kept', async () => {
    for (const path of ['/template.json', '/untyped']) {
      const res = await pageWith(peer.url(path));
      assert.equal(res.statusCode, 200);
      assert.ok(isStandardPage(res.body), path);
      const row = await db.selectFrom('page_templates').selectAll().where('url', '=', peer.url(path)).executeTakeFirstOrThrow();
      assert.equal(row.html, null, path);
      assert.match(row.problem ?? '', /not text\/html/, path);
    }
  });

  it('is kept in PostgreSQL: a second page with the same template fetches nothing', async () => {
    const before = requestsFor('/template.html');
    assert.ok(before >= 1);
    const res = await pageWith(peer.url('/template.html'));
    assert.match(res.body, /Shop header/);
    assert.equal(requestsFor('/template.html'), before);
    const row = await db.selectFrom('page_templates').selectAll().where('url', '=', peer.url('/template.html')).executeTakeFirstOrThrow();
    assert.equal(row.merchant_id, m.merchantId);
    assert.equal(row.problem, null);
  });

  it('too large, without the marker, or an error answer: the standard page, the reason kept, not fetched again at once', async () => {
    for (const [path, reason] of [
      ['/big.html', /larger than 262144 bytes/],
      ['/no-marker.html', /has no \$\$\$PAYMENT ZONE\$\$\$/],
      ['/missing.html', /HTTP 404/],
    ] as const) {
      const res = await pageWith(peer.url(path));
      assert.equal(res.statusCode, 200);
      assert.ok(isStandardPage(res.body), path);
      assert.match(String(res.headers['content-security-policy']), /style-src 'self';/);
      const row = await db.selectFrom('page_templates').selectAll().where('url', '=', peer.url(path)).executeTakeFirstOrThrow();
      assert.match(row.problem ?? '', reason);
      const fetched = requestsFor(path);
      assert.ok(isStandardPage((await pageWith(peer.url(path))).body));
      assert.equal(requestsFor(path), fetched, 'a failure is remembered too');
    }
  });

  it('http:// or a static template name: never fetched, the standard page', async () => {
    const connections = peer.secureConnections;
    for (const tp of [`http://localhost:${peer.port}/template.html`, 'PaymentPage_1_iPhone.htm']) {
      const res = await pageWith(tp);
      assert.ok(isStandardPage(res.body), tp);
    }
    assert.equal(peer.secureConnections, connections);
    assert.equal(requestsFor('/template.html') > 0, true);
  });

  it('with legacy hashing (TP not signed) the template is ignored: nobody can wrap the page in his own', async () => {
    const legacy = await createMerchant(t);
    await configure(t, legacy, { hashingMethod: 'main-parameters', hashAlgorithm: 'sha1', acceptLegacyHashing: true });
    // The legacy rule, written apart from src/: ORDERID AMOUNT CURRENCY PSPID, then the passphrase.
    const digest = createHash('sha1').update(`tpl-legacy1500EUR${legacy.pspid}${SHA_IN}`).digest('hex').toUpperCase();
    const fields: Array<[string, string]> = [
      ['PSPID', legacy.pspid],
      ['ORDERID', 'tpl-legacy'],
      ['AMOUNT', '1500'],
      ['CURRENCY', 'EUR'],
      ['TP', peer.url('/template.html?legacy')],
      ['SHASIGN', digest],
    ];
    const pay = payLocation(await postEntry(app, fields));
    const res = await app.inject({ method: 'GET', url: pay.path });
    assert.ok(isStandardPage(res.body));
    assert.equal(requestsFor('/template.html?legacy'), 0);
  });

  it('through the outbound destination policy: a loopback (private) address is refused without connecting', async () => {
    const strict = createDestinationPolicy({ allowCidrs: [] });
    const fetcher = fetcherWith(strict);
    const connections = peer.secureConnections;
    const result = await fetcher.load({ env: 'test', merchantId: m.merchantId, organisationId: m.organisationId }, peer.url('/template.html?strict'));
    assert.equal(result.ok, false);
    assert.match(
      result.ok ? '' : result.problem,
      /^unreachable\/destination_forbidden: localhost resolves to 127\.0\.0\.1, which is a loopback address: Varco connects only to public addresses/,
    );
    assert.equal(peer.secureConnections, connections);
  });

  it('a template server that does not answer in time is given up within the limit', async () => {
    const fetcher = fetcherWith(testDestinations(), 400);
    const started = Date.now();
    const result = await fetcher.load({ env: 'test', merchantId: m.merchantId, organisationId: m.organisationId }, peer.url('/slow.html'));
    assert.equal(result.ok, false);
    assert.match(result.ok ? '' : result.problem, /^timeout\//);
    assert.ok(Date.now() - started < 3000, `${Date.now() - started} ms`);
  });
});

function fetcherWith(destinations: DestinationPolicy, timeoutMs?: number) {
  const client = createOutboundClient({ mode: { kind: 'plain' }, destinations });
  after(() => client.close());
  return createTemplateFetcher({ db, clock: systemClock, client, destinations, trust: services.trust, ...(timeoutMs ? { timeoutMs } : {}) });
}
