import { isIP } from 'node:net';
import {
  describeRefusal,
  systemResolve,
  type DestinationPolicy,
  type DestinationVerdict,
  type OutboundClient,
  type OutboundResult,
} from '../outbound/index.ts';
import {
  httpAnswerOutcome,
  isHttpMessage,
  type DeliveryHandler,
  type DeliveryOutcome,
  type HttpMessage,
  type OutboxMessage,
  type OwnersLookup,
} from '../delivery/index.ts';
import { s2sUrlProblem } from '../merchants/index.ts';
import { getOrganisation, listReferents } from '../organisations/index.ts';
import { createTrustCache, type TrustService } from '../stations/index.ts';

// Server-to-server feedback (the outbox's `http` channel): Ogone's post-sale request to the
// merchant's URL. It is plain HTTPS (or HTTP, in test only: the settings' rule, s2sUrlProblem) —
// SHA-OUT is its authentication — so it goes through an
// outbound client in `plain` mode, which has no client certificate to present, whatever the host:
// a merchant's URL naming a station (its own or another organisation's) gets no mutual TLS either.
// The host is resolved, each address judged by the destination policy, and the connection goes to
// the chosen address with SNI and the certificate check on the URL's host, so a DNS answer that
// changes between the check and the connection (rebinding) gains nothing. Roots: the Mozilla store,
// the CAs trusted for every organisation and the merchant organisation's own.

export interface FeedbackSender {
  /** What can be said of a feedback URL's host when the settings are saved (feedbackHostVerdict with this sender's policy). */
  judgeHost(hostname: string): FeedbackHostVerdict | undefined;
  /** True when every delivery to this URL's host would be refused: the settings refuse such a URL on save. */
  refusesHost(url: URL): boolean;
  /** The worker's handler: 5-second connect and response timeouts. */
  deliver: DeliveryHandler;
  /** One attempt before the customer is redirected ("online" timing): shorter timeouts. */
  online: DeliveryHandler;
  close(): Promise<void>;
}

export interface FeedbackSenderDeps {
  trust: Pick<TrustService, 'rootsFor'>;
  destinations: DestinationPolicy;
  /** A `plain` outbound client (no client certificate), made by the composition root; the sender closes it. */
  client: OutboundClient;
  /** Host name → every address; the system resolver by default (the container gives a caching one: outbound/host-resolver.ts). */
  resolve?: (host: string) => Promise<string[]>;
}

const SCHEME_ERRORS = {
  not_http: 'the feedback URL is not an http(s) URL',
  https_required: 'production server-to-server feedback is sent over https only',
  host_required: 'the feedback URL must name a host (certificates are checked against it), not an IP address',
} as const;

const DEFERRED = { connectTimeoutMs: 5000, responseTimeoutMs: 5000 };
const ONLINE = { connectTimeoutMs: 2000, responseTimeoutMs: 3000 };

type Timeouts = typeof DEFERRED;

/**
 * The address to connect to: the first allowed one, IPv4 first (`localhost` → 127.0.0.1 and ::1:
 * most receivers listen on IPv4); else the refusal of the first, for the attempt's error.
 */
export function chooseAddress(addresses: string[], destinations: DestinationPolicy): DestinationVerdict | undefined {
  const verdicts = addresses.map((address) => destinations.judge(address));
  const allowed = verdicts.filter((verdict) => verdict.allowed);
  return allowed.find((verdict) => isIP(verdict.address) === 4) ?? allowed[0] ?? verdicts[0];
}

/**
 * What the settings page can say of a feedback URL's host before any delivery, without DNS (a
 * name's addresses are judged at each delivery, and may change): `refused` when every delivery
 * would be refused, with the reason the delivery would give; `private_name` for a name that
 * usually resolves to a non-public address (one label, or a local-use suffix); else undefined.
 * `localhost` and `*.localhost` resolve to loopback (RFC 6761), refused unless the operator
 * allowed it (VARCO_OUTBOUND_ALLOW_CIDRS). An IP address is refused by the settings already
 * (s2sUrlProblem).
 */
export type FeedbackHostVerdict = { readonly kind: 'refused'; readonly reason: string } | { readonly kind: 'private_name' };

const LOCAL_SUFFIX = /\.(local|localdomain|internal|intranet|lan|home|corp|home\.arpa)$/;

export function feedbackHostVerdict(hostname: string, destinations: DestinationPolicy): FeedbackHostVerdict | undefined {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === '' || isIP(host.replace(/^\[|\]$/g, '')) !== 0) return undefined;
  if (host === 'localhost' || host.endsWith('.localhost')) {
    const chosen = chooseAddress(['127.0.0.1', '::1'], destinations);
    return chosen && !chosen.allowed ? { kind: 'refused', reason: describeRefusal(chosen, host) } : undefined;
  }
  return !host.includes('.') || LOCAL_SUFFIX.test(host) ? { kind: 'private_name' } : undefined;
}

function outcomeOf(result: OutboundResult): DeliveryOutcome {
  // Failures (timeouts included) are retried on the schedule; answers are judged by the delivery module's table (ADR 0025).
  if (result.kind === 'failure')
    return { ok: false, error: `${result.category}/${result.code}: ${result.message}${result.previous ? ` (primary: ${result.previous.code})` : ''}` };
  return httpAnswerOutcome(result.status, result.headers, `the ${result.endpoint} endpoint`);
}

/** The merchant's ORDERID in the feedback's parameters (form body for POST, query for GET), for the e-mail. */
function orderReference(message: HttpMessage): string {
  const fields = message.method === 'POST' && message.body !== undefined ? new URLSearchParams(message.body) : new URL(message.url).searchParams;
  for (const [name, value] of fields) if (name.toLowerCase() === 'orderid') return value;
  return '';
}

/** Whom an exhausted feedback concerns: the merchant organisation's enabled referents, and the portal's order page. */
export function feedbackOwners(publicUrl: string): OwnersLookup {
  return async (trx, message) => {
    if (message.organisationId === null || !isHttpMessage(message.payload)) return undefined;
    const organisation = await getOrganisation(trx, message.organisationId);
    if (!organisation) return undefined;
    const referents = (await listReferents(trx, organisation.id)).filter((r) => r.disabled_at === null);
    return {
      organisationName: organisation.name,
      reference: orderReference(message.payload),
      recipients: referents.map((r) => ({ email: r.email, locale: r.locale, firstName: r.first_name ?? '' })),
      link: `${publicUrl}/portal/orders/${message.subjectId ?? ''}`,
    };
  };
}

export function createFeedbackSender(deps: FeedbackSenderDeps): FeedbackSender {
  const resolve = deps.resolve ?? systemResolve;
  const roots = createTrustCache(deps.trust);
  // Plain: this client cannot present a client certificate; it was never given one.
  const { client } = deps;

  async function send(message: OutboxMessage, t: Timeouts, slot: string, signal?: AbortSignal): Promise<DeliveryOutcome> {
    if (!isHttpMessage(message.payload)) return { ok: false, permanent: true, error: 'not a server-to-server message' };
    const payload: HttpMessage = message.payload;
    let url: URL;
    try {
      url = new URL(payload.url);
    } catch {
      return { ok: false, permanent: true, error: 'the feedback URL is not a URL' };
    }
    // The settings' rule, applied again to what was enqueued (settings changed since, an older row).
    const problem = s2sUrlProblem(payload.env, url);
    if (problem !== undefined) return { ok: false, permanent: true, error: SCHEME_ERRORS[problem] };
    let chosen: DestinationVerdict | undefined;
    try {
      chosen = chooseAddress(await resolve(url.hostname), deps.destinations);
    } catch (error) {
      return { ok: false, error: `unreachable/dns: ${url.hostname} does not resolve (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
    }
    if (chosen === undefined) return { ok: false, error: `unreachable/dns: ${url.hostname} has no address` };
    // Not permanent: the merchant may fix its DNS record while the retries last.
    if (!chosen.allowed) return { ok: false, error: `unreachable/destination_forbidden: ${describeRefusal(chosen, url.hostname)}` };
    const organisationId = message.organisationId;
    const endpoints = {
      key: `feedback:${organisationId ?? '-'}:${url.hostname}:${chosen.address}:${url.port}:${slot}`,
      primary: { url: payload.url, ip: chosen.address, port: Number(url.port || (url.protocol === 'http:' ? 80 : 443)), ...t },
    };
    const result = await client.send(
      { env: payload.env, endpoints, trust: await roots(payload.env, organisationId) },
      {
        method: payload.method,
        path: `${url.pathname}${url.search}`,
        headers: { ...payload.headers, 'varco-event-id': payload.eventId, 'user-agent': 'Varco-Feedback/1' },
        ...(payload.body !== undefined ? { body: payload.body } : {}),
        ...(signal ? { signal } : {}),
      },
    );
    return outcomeOf(result);
  }

  return {
    judgeHost: (hostname) => feedbackHostVerdict(hostname, deps.destinations),
    refusesHost: (url) => feedbackHostVerdict(url.hostname, deps.destinations)?.kind === 'refused',
    deliver: (message, signal) => send(message, DEFERRED, 'feedback', signal),
    online: (message, signal) => send(message, ONLINE, 'feedback-online', signal),
    close: () => client.close(),
  };
}
