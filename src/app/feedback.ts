import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { createOutboundClient, type ClientIdentity, type Endpoint, type EndpointSet, type OutboundClient, type OutboundEnv, type OutboundResult,
  type TrustStore } from '../modules/outbound/index.ts';
import { isHttpMessage, type DeliveryHandler, type DeliveryOutcome, type HttpMessage, type OutboxMessage } from '../modules/delivery/index.ts';
import { isNonPublicIp, type ApprovedEndpointsRow, type StationServices } from '../modules/stations/index.ts';

// Server-to-server feedback (the outbox's `http` channel) over the one outbound client. When the
// URL's host is the FQDN of an approved station of the merchant's organisation in that environment,
// the delivery goes to the station's registered addresses with mutual TLS and failover to its
// secondary, exactly like every other call to an organisation. Otherwise it is plain HTTPS to the
// address DNS gives, verified against the environment's roots (the bundled Mozilla store plus the
// CAs an administrator authorised), through the same client (same TLS 1.2 minimum; our client
// certificate is offered, which a plain HTTPS server ignores).

export interface FeedbackSender {
  /** The worker's handler: 5-second connect and response timeouts. */
  deliver: DeliveryHandler;
  /** One attempt before the customer is redirected ("online" timing): shorter timeouts. */
  online: DeliveryHandler;
  close(): Promise<void>;
}

export interface FeedbackSenderDeps {
  stations: Pick<StationServices, 'stations' | 'trust' | 'platformCertificates'>;
  /** Host name → address; the system resolver by default. */
  resolve?: (host: string) => Promise<string>;
  logger?: { info(o: Record<string, unknown>, m: string): void; warn(o: Record<string, unknown>, m: string): void };
}

const DEFERRED = { connectTimeoutMs: 5000, responseTimeoutMs: 5000 };
const ONLINE = { connectTimeoutMs: 2000, responseTimeoutMs: 3000 };
/** Identity and roots change rarely (rotation, a CA authorised): re-read at most this often. */
const MATERIAL_TTL_MS = 60_000;
const STATIONS_TTL_MS = 10_000;

type Timeouts = typeof DEFERRED;

interface Material { identity: ClientIdentity; trust: TrustStore; loadedAt: number }

/** IPv4 first when the name has both (`localhost` → 127.0.0.1 and ::1): most receivers listen on IPv4. */
const defaultResolve = async (host: string): Promise<string> => {
  const all = await lookup(host, { all: true });
  const chosen = all.find((a) => a.family === 4) ?? all[0];
  if (!chosen) throw Object.assign(new Error(`${host} has no address`), { code: 'ENOTFOUND' });
  return chosen.address;
};

function outcomeOf(result: OutboundResult): DeliveryOutcome {
  if (result.kind === 'failure') return { ok: false, error: `${result.category}/${result.code}: ${result.message}${result.previous ? ` (primary: ${result.previous.code})` : ''}` };
  if (result.status >= 200 && result.status < 300) return { ok: true, statusCode: result.status };
  return { ok: false, statusCode: result.status, error: `HTTP ${result.status} from the ${result.endpoint} endpoint` };
}

export function createFeedbackSender(deps: FeedbackSenderDeps): FeedbackSender {
  const resolve = deps.resolve ?? defaultResolve;
  const material = new Map<OutboundEnv, Material>();
  const approved = new Map<string, { rows: ApprovedEndpointsRow[]; at: number }>();

  async function load(env: OutboundEnv): Promise<Material> {
    const cached = material.get(env);
    if (cached && Date.now() - cached.loadedAt < MATERIAL_TTL_MS) return cached;
    const [identity, roots] = await Promise.all([deps.stations.platformCertificates.identity(env), deps.stations.trust.roots(env)]);
    // Same content, same objects: the client keys its pools and TLS contexts on these objects.
    const same = cached && cached.identity.certChainPem === identity.certChainPem && cached.identity.keyPem === identity.keyPem
      && cached.trust.roots.length === roots.length && cached.trust.roots.every((r, i) => r === roots[i]);
    const next = same ? { ...cached, loadedAt: Date.now() } : { identity, trust: { roots }, loadedAt: Date.now() };
    material.set(env, next);
    return next;
  }

  const client: OutboundClient = createOutboundClient({
    identity: (env) => requireMaterial(env).identity,
    trust: (env) => requireMaterial(env).trust,
    ...(deps.logger ? { logger: deps.logger } : {}),
  });
  function requireMaterial(env: OutboundEnv): Material {
    const m = material.get(env);
    if (!m) throw new Error(`outbound material of ${env} not loaded`);
    return m;
  }

  async function stationsOf(organisationId: string, env: OutboundEnv): Promise<ApprovedEndpointsRow[]> {
    const key = `${organisationId}:${env}`;
    const cached = approved.get(key);
    if (cached && Date.now() - cached.at < STATIONS_TTL_MS) return cached.rows;
    const rows = await deps.stations.stations.approvedEndpoints(organisationId, env);
    approved.set(key, { rows, at: Date.now() });
    return rows;
  }

  /** The station whose primary or secondary FQDN is the URL's host: mutual TLS to its registered addresses. */
  function stationSet(rows: ApprovedEndpointsRow[], url: URL, t: Timeouts, slot: string): EndpointSet | undefined {
    const host = url.hostname.toLowerCase();
    const hostOf = (u: string | null): string => (u === null ? '' : new URL(u).hostname.toLowerCase());
    const row = rows.find((r) => hostOf(r.primary_url) === host || hostOf(r.secondary_url) === host);
    if (!row) return undefined;
    const path = `${url.pathname}${url.search}`;
    const primary: Endpoint = { url: `https://${new URL(row.primary_url).host}${path}`, ip: row.primary_ip, port: row.primary_port, ...t };
    const secondary: Endpoint | undefined = row.secondary_url !== null && row.secondary_ip !== null && row.secondary_port !== null
      ? { url: `https://${new URL(row.secondary_url).host}${path}`, ip: row.secondary_ip, port: row.secondary_port, ...t } : undefined;
    return { key: `station:${row.id}:${slot}`, primary, ...(secondary ? { secondary } : {}) };
  }

  async function send(message: OutboxMessage, t: Timeouts, slot: string): Promise<DeliveryOutcome> {
    if (!isHttpMessage(message.payload)) return { ok: false, permanent: true, error: 'not a server-to-server message' };
    const payload: HttpMessage = message.payload;
    let url: URL;
    try {
      url = new URL(payload.url);
    } catch {
      return { ok: false, permanent: true, error: 'the feedback URL is not a URL' };
    }
    if (url.protocol !== 'https:') return { ok: false, permanent: true, error: 'server-to-server feedback is sent over https only' };
    if (isIP(url.hostname.replace(/^\[|\]$/g, '')) !== 0) return { ok: false, permanent: true, error: 'the feedback URL must name a host (certificates are checked against it), not an IP address' };
    const env = payload.env;
    await load(env);
    const rows = message.organisationId === null ? [] : await stationsOf(message.organisationId, env);
    let set = stationSet(rows, url, t, slot);
    if (!set) {
      let ip: string;
      try {
        ip = await resolve(url.hostname);
      } catch (error) {
        return { ok: false, error: `unreachable/dns: ${url.hostname} does not resolve (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
      }
      // A merchant's URL must not reach into Varco's own network in production.
      if (env === 'prod' && isNonPublicIp(ip)) return { ok: false, error: `${url.hostname} resolves to a non-public address (${ip})` };
      set = { key: `https:${url.hostname}:${ip}:${url.port}:${slot}`, primary: { url: payload.url, ip, port: Number(url.port || 443), ...t } };
    }
    const result = await client.send(env, set, { method: payload.method, path: `${url.pathname}${url.search}`,
      headers: { ...payload.headers, 'varco-event-id': payload.eventId, 'user-agent': 'Varco-Feedback/1' }, ...(payload.body !== undefined ? { body: payload.body } : {}) });
    return outcomeOf(result);
  }

  return {
    deliver: (message) => send(message, DEFERRED, 'feedback'),
    online: (message) => send(message, ONLINE, 'feedback-online'),
    close: () => client.close(),
  };
}
