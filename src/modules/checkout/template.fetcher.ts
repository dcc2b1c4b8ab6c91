/**
 * The hosted page's dynamic template (TP, issue 13): the merchant's HTML page that the payment
 * zone is inserted into at `$$$PAYMENT ZONE$$$`. Fetched from the merchant's site like feedback is
 * sent: https only, the host resolved and each address judged by the outbound destination policy,
 * the connection pinned to the judged address, the server certificate checked against the host and
 * the organisation's roots. Bounded: 5 s to connect and 5 s for the answer (the platform's
 * HTTPTimeOut), the whole fetch cut at 5.5 s; 256 KiB, received and once in UTF-8; served as HTML
 * (text/html or XHTML), read in the character set it declares (template.charset.ts).
 *
 * Kept in PostgreSQL (`page_templates`) per merchant and URL: a good template for 10 minutes, a
 * failure for one (with its reason), so neither the customer nor the merchant's server pays a fetch
 * per page view. Every failure is a reason, never an exception: the page then falls back to the
 * standard page, as the platform does (docs/reference/ogone/hosted-page.md, "Dynamic template").
 */
import { isIP } from 'node:net';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import { describeRefusal, systemResolve, type DestinationPolicy, type OutboundClient } from '../outbound/index.ts';
import { createTrustCache, type TrustService } from '../stations/index.ts';
import { chooseAddress } from './feedback.sender.ts';
import { decodeTemplate } from './template.charset.ts';

export const PAYMENT_ZONE = '$$$PAYMENT ZONE$$$';

export type TemplateResult = { ok: true; html: string } | { ok: false; problem: string };

export interface TemplateFetcher {
  /** The template of `url` for the merchant, from the cache or fetched; a reason when it cannot be used. */
  load(order: { env: 'test' | 'prod'; merchantId: string; organisationId: string }, url: string): Promise<TemplateResult>;
}

export interface TemplateFetcherOptions {
  db: Kysely<Database>;
  clock: Clock;
  /** The process's plain outbound client (the feedback sender's): never a client certificate. */
  client: OutboundClient;
  destinations: DestinationPolicy;
  trust: Pick<TrustService, 'rootsFor'> & Partial<Pick<TrustService, 'changes'>>;
  resolve?: (host: string) => Promise<string[]>;
  /** Connection and answer, each; the whole fetch is cut 500 ms later. Default 5000 ms. */
  timeoutMs?: number;
  maxBytes?: number;
}

/** What a template is served as: HTML, as a browser would render it (a JSON or text answer is no page). */
const HTML_TYPES: readonly string[] = ['text/html', 'application/xhtml+xml'];

/** `text/html` of `text/HTML; charset=utf-8`; '' without the header. */
function mediaType(header: string | string[] | undefined): string {
  const text = Array.isArray(header) ? (header[0] ?? '') : (header ?? '');
  return (text.split(';')[0] ?? '').trim().toLowerCase();
}

const GOOD_MS = 10 * 60_000;
const FAILED_MS = 60_000;
const KEPT_PER_MERCHANT = 20;

export function createTemplateFetcher(options: TemplateFetcherOptions): TemplateFetcher {
  const { db, clock, client } = options;
  const resolve = options.resolve ?? systemResolve;
  const timeoutMs = options.timeoutMs ?? 5000;
  const maxBytes = options.maxBytes ?? 256 * 1024;
  const roots = createTrustCache(options.trust);

  async function fetchTemplate(env: 'test' | 'prod', organisationId: string, text: string): Promise<TemplateResult> {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return { ok: false, problem: 'not a URL' };
    }
    if (url.protocol !== 'https:') return { ok: false, problem: 'dynamic templates are fetched over https only' };
    if (isIP(url.hostname.replace(/^\[|\]$/g, '')) !== 0) return { ok: false, problem: 'the template URL must name a host, not an IP address' };
    let addresses: string[];
    try {
      addresses = await resolve(url.hostname);
    } catch {
      return { ok: false, problem: `unreachable/dns: ${url.hostname} does not resolve` };
    }
    const chosen = chooseAddress(addresses, options.destinations);
    if (chosen === undefined) return { ok: false, problem: `unreachable/dns: ${url.hostname} has no address` };
    if (!chosen.allowed) return { ok: false, problem: `unreachable/destination_forbidden: ${describeRefusal(chosen, url.hostname)}` };
    const port = Number(url.port || 443);
    const deadline = AbortSignal.timeout(timeoutMs + 500);
    const result = await client.send(
      {
        env,
        endpoints: {
          key: `template:${organisationId}:${url.hostname}:${chosen.address}:${port}`,
          primary: { url: url.href, ip: chosen.address, port, connectTimeoutMs: timeoutMs, responseTimeoutMs: timeoutMs },
        },
        trust: await roots(env, organisationId),
      },
      // The answer's own limit comes first; the signal also cuts a body dribbled out slowly.
      {
        method: 'GET',
        path: `${url.pathname}${url.search}`,
        headers: { accept: 'text/html', 'user-agent': 'Varco-Template/1' },
        signal: deadline,
        // Decoded here, in the template's own character set.
        keepBytes: true,
      },
    );
    if (result.kind === 'failure' && deadline.aborted) return { ok: false, problem: `timeout/deadline: no whole answer within ${timeoutMs + 500} ms` };
    if (result.kind === 'failure') return { ok: false, problem: `${result.category}/${result.code}: ${result.message}` };
    if (result.status !== 200) return { ok: false, problem: `the template server answered HTTP ${result.status}` };
    const type = mediaType(result.headers['content-type']);
    if (!HTML_TYPES.includes(type))
      return { ok: false, problem: `the template server answered ${type === '' ? 'without a content type' : type.slice(0, 100)}, not text/html` };
    const bytes = result.bytes ?? Buffer.from(result.body, 'utf8');
    if (result.bodyTruncated || bytes.length > maxBytes) return { ok: false, problem: `the template is larger than ${maxBytes} bytes` };
    const html = decodeTemplate(bytes, result.headers['content-type']);
    // It is kept, and served, in UTF-8: an ISO-8859-1 é takes two bytes there, a windows-1252 € three.
    if (Buffer.byteLength(html, 'utf8') > maxBytes) return { ok: false, problem: `the template is larger than ${maxBytes} bytes in UTF-8` };
    if (!html.includes(PAYMENT_ZONE)) return { ok: false, problem: `the template has no ${PAYMENT_ZONE}` };
    return { ok: true, html };
  }

  async function store(merchantId: string, url: string, result: TemplateResult): Promise<void> {
    const row = { html: result.ok ? result.html : null, problem: result.ok ? null : result.problem.slice(0, 500), fetched_at: clock.now() };
    await db
      .insertInto('page_templates')
      .values({ merchant_id: merchantId, url, ...row })
      .onConflict((oc) => oc.columns(['merchant_id', 'url']).doUpdateSet(row))
      .execute();
    // A merchant sending a new URL per order must not fill the table: only the latest few are kept.
    await sql`DELETE FROM page_templates WHERE merchant_id = ${merchantId} AND url NOT IN (
      SELECT url FROM page_templates WHERE merchant_id = ${merchantId} ORDER BY fetched_at DESC LIMIT ${KEPT_PER_MERCHANT})`.execute(db);
  }

  return {
    async load(order, url) {
      const cached = await db
        .selectFrom('page_templates')
        .select(['html', 'problem', 'fetched_at'])
        .where('merchant_id', '=', order.merchantId)
        .where('url', '=', url)
        .executeTakeFirst();
      const age = cached ? clock.now().getTime() - new Date(cached.fetched_at).getTime() : Infinity;
      if (cached?.html != null && age < GOOD_MS) return { ok: true, html: cached.html };
      if (cached?.problem != null && age < FAILED_MS) return { ok: false, problem: cached.problem };
      const result = await fetchTemplate(order.env, order.organisationId, url);
      await store(order.merchantId, url, result);
      return result;
    },
  };
}
