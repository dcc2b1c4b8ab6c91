import type { KeysService, SubscriptionsService } from '../../modules/subscriptions/index.ts';
import type { StationsService } from '../../modules/stations/index.ts';
import type { ConnectionEnvironmentView, LinkState } from '../../views/portal/connections.ts';

// The stored facts behind the portal home's connection picture (views/portal/connections.ts):
// - in (API key), per environment: verified once Varco accepted one of the organisation's current
//   keys (api_keys.last_used_at), failing when its subscriptions there are suspended or expired
//   (every key is refused), never otherwise;
// - out (mutual TLS), per station: the station's last verification (stations.connection_state).

export interface ConnectionFacts {
  subscriptions: SubscriptionsService;
  apiKeys: KeysService;
  stations: StationsService;
}

const ENVIRONMENTS = ['test', 'prod'] as const;
const REFUSED = new Set(['suspended', 'expired']);

function hostOf(url: string | null | undefined): string {
  if (!url) return '';
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

async function inbound(facts: ConnectionFacts, subs: ReadonlyArray<{ id: string; state: string }>): Promise<LinkState | null> {
  const live = subs.filter((s) => s.state === 'active');
  if (live.length === 0) return subs.some((s) => REFUSED.has(s.state)) ? 'failing' : null;
  const keys = (await Promise.all(live.map((s) => facts.apiKeys.list(s.id)))).flat();
  return keys.some((k) => k.lastUsedAt !== null) ? 'verified' : 'never';
}

const linkOf = (connectionState: string): LinkState => (connectionState === 'verified' ? 'verified' : connectionState === 'failing' ? 'failing' : 'never');

export async function connectionsOf(facts: ConnectionFacts, organisationId: string): Promise<ConnectionEnvironmentView[]> {
  const [subs, stations] = await Promise.all([facts.subscriptions.list({ organisationId }), facts.stations.list({ organisationId })]);
  return Promise.all(
    ENVIRONMENTS.map(async (env) => ({
      env,
      inbound: await inbound(
        facts,
        subs.filter((s) => s.environment === env),
      ),
      stations: stations
        .filter((st) => st.environment === env)
        .map((st) => ({ id: st.id, code: st.code, host: hostOf(st.approved_primary_url), state: linkOf(st.connection_state) })),
    })),
  );
}
