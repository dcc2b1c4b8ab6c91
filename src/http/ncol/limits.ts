import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkPspid } from '../../modules/merchants/index.ts';
import { firstValue, type PageCharset } from '../../protocols/ogone/index.ts';
import { busyPage } from '../../views/ncol/pages.ts';
import { PLAIN_CSP, privatePage } from './responses.ts';

// Rate limits of the hosted page entry (docs/adr/0014-hosted-page-limits.md): per client address
// before the body is read, and per PSPID once it is. Counters live in this process's memory
// (@fastify/rate-limit's LRU store); the bound on stored error rows is PostgreSQL's. A refused
// request gets a small page with Retry-After and reaches nothing else: no error-log row, no query.

export interface EntryLimits {
  /** Entry requests per minute from one client address (IPv6: per /64). */
  perIpPerMinute: number;
  /** Entry requests per minute naming one PSPID in one environment. */
  perPspidPerMinute: number;
}

export interface EntryLimitHooks {
  byIp: (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;
  byPspid: (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;
}

const WINDOW_MS = 60_000;
/** Addresses or PSPIDs remembered per limiter; the least recently seen are forgotten first. */
const KEYS_KEPT = 20_000;
const PAGE_LANGUAGES: Readonly<Record<string, string>> = { it: 'it_IT', fr: 'fr_FR', de: 'de_DE', nl: 'nl_NL' };

const envOf = (request: FastifyRequest): string => (request.url.startsWith('/ncol/prod/') ? 'prod' : 'test');

/** The charset the page called decodes the form in (`…_utf8.asp`: UTF-8, else ISO-8859-1), as the entry does. */
const charsetOf = (request: Pick<FastifyRequest, 'url'>): PageCharset => ((request.url.split('?')[0] ?? '').endsWith('_utf8.asp') ? 'utf8' : 'latin1');

/**
 * The language of the refusal page: the form's LANGUAGE once it is read, else the browser's. The
 * whole value, read like the entry reads it: `it_IT-x` is not Italian there, so not here either.
 */
function languageOf(request: FastifyRequest, bytes: Uint8Array | undefined): string {
  const fromForm = bytes === undefined ? undefined : firstValue(bytes, charsetOf(request), 'LANGUAGE');
  if (fromForm !== undefined && /^[a-z]{2}_[A-Z]{2}$/.test(fromForm)) return fromForm;
  const accept = String(request.headers['accept-language'] ?? '')
    .slice(0, 2)
    .toLowerCase();
  return PAGE_LANGUAGES[accept] ?? 'en_US';
}

/**
 * The PSPID the entry will look up (entry.service.ts: the value decoded in the page's charset, then
 * trimmed), upper-case; one shared key for anything that is not a PSPID, which the entry logs in
 * the unknown bucket. Read like the entry reads it, or whitespace the entry trims (Unicode spaces on
 * the UTF-8 page, or more than a cut value holds) would give each spelling a key of its own.
 */
export function pspidKey(bytes: Uint8Array, request: Pick<FastifyRequest, 'url'>): string {
  const pspid = firstValue(bytes, charsetOf(request), 'PSPID')?.trim() ?? '';
  return checkPspid(pspid) ? pspid.toUpperCase() : '';
}

type Check = ReturnType<FastifyInstance['createRateLimit']>;

/** The answer to a refused request: `seconds` until the window frees a slot; `bytes` reads the form when needed. */
export type LimitRefusal = (request: FastifyRequest, reply: FastifyReply, seconds: number, bytes: () => Uint8Array | undefined) => FastifyReply;

/** The hosted page's: a small page in the form's LANGUAGE (or the browser's), with Retry-After. */
const busyRefusal: LimitRefusal = (request, reply, seconds, bytes) =>
  privatePage(reply.code(429), PLAIN_CSP)
    .header('retry-after', String(seconds))
    .send(busyPage(languageOf(request, bytes()), envOf(request) === 'prod' ? 'prod' : 'test', seconds));

async function refuseWhenExceeded(
  request: FastifyRequest,
  reply: FastifyReply,
  check: Check,
  bytes: () => Uint8Array | undefined,
  refuse: LimitRefusal,
): Promise<FastifyReply | undefined> {
  const verdict = await check(request);
  if (verdict.isAllowed || !verdict.isExceeded) return undefined;
  return refuse(request, reply, Math.max(1, verdict.ttlInSeconds), bytes);
}

/**
 * The two hooks of a group of routes, with counters of their own (the rate-limit plugin must be
 * registered in the context already: entryLimitHooks does it). `bodyOf` gives the request's form
 * bytes (POST body or GET query string).
 */
export function limitHooks(
  app: FastifyInstance,
  limits: EntryLimits,
  bodyOf: (request: FastifyRequest) => Uint8Array,
  refuse: LimitRefusal = busyRefusal,
): EntryLimitHooks {
  // `cache` (LRU size) is passed through to each limiter's store, though the option types omit it.
  const common = { timeWindow: WINDOW_MS, cache: KEYS_KEPT };
  const byIp = app.createRateLimit({ ...common, max: limits.perIpPerMinute });
  const byPspid = app.createRateLimit({
    ...common,
    max: limits.perPspidPerMinute,
    // The environment is part of the key: a PSPID may name different merchants in test and prod.
    keyGenerator: (request) => `${envOf(request)}:${pspidKey(bodyOf(request), request)}`,
  });
  return {
    byIp: (request, reply) => refuseWhenExceeded(request, reply, byIp, () => (request.method === 'GET' ? bodyOf(request) : undefined), refuse),
    byPspid: (request, reply) => refuseWhenExceeded(request, reply, byPspid, () => bodyOf(request), refuse),
  };
}

/** Registers the rate-limit plugin in the hosted page's context and returns the two hooks of the entry routes. */
export async function entryLimitHooks(app: FastifyInstance, limits: EntryLimits, bodyOf: (request: FastifyRequest) => Uint8Array): Promise<EntryLimitHooks> {
  await app.register(rateLimit, { global: false });
  return limitHooks(app, limits, bodyOf);
}
