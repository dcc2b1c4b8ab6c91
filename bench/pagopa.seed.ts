import { randomBytes } from 'node:crypto';
import type { Database, Kysely } from '../src/db/index.ts';
import { systemClock } from '../src/kernel/clock.ts';
import { loadConfig } from '../src/config/index.ts';
import { loadMasterKey } from '../src/app/master-key.ts';
import { createContainer } from '../src/app/container.ts';
import { createLogger } from '../src/app/logger.ts';
import { merchantSubscriptionHooks as subscriptionHooks } from '../src/modules/merchants/index.ts';
import type { StationServices } from '../src/modules/stations/index.ts';
import { createOrganisationsService } from '../src/modules/organisations/index.ts';
import { createKeysService, createProductsService, createSubscriptionsService } from '../src/modules/subscriptions/index.ts';
import { partitaIvaValid } from '../src/protocols/pagopa/index.ts';
import { benchAudit, seedOrganisation } from './seed.ts';

// Data of benchmark 5 (pagoPA flow), made through the module services as the CLI and an
// administrator would (and as test/support/pagopa-node.ts does in the tests), in the running
// server's database: a PSP organisation with a key, its PSP, broker and channel; a creditor
// institution with an 11-digit fiscal code, its station (the bench's EC receiver) approved, the
// station's server CA trusted for it, and the link aux digit 3 / segregation code 01 → that station,
// primitive version 2.

const CLI = { type: 'cli', id: null, ip: null } as const;
export const CHANNEL_PASSWORD = 'b3nch-channel';
export const SEGREGATION_CODE = '01';
export const EC_PATH = '/pa-for-node';

export interface BenchPsp {
  key: string;
  head: { idPSP: string; idBrokerPSP: string; idChannel: string; password: string };
}

export interface BenchEc {
  fiscalCode: string;
  name: string;
  stationCode: string;
}

/** A random 11-digit fiscal code with a valid check digit (partita IVA), as a real EC's. */
export function ecFiscalCode(): string {
  for (;;) {
    const base = Array.from(randomBytes(10), (b) => String(b % 10)).join('');
    for (let d = 0; d < 10; d++) if (partitaIvaValid(`${base}${d}`)) return `${base}${d}`;
  }
}

function services(db: Kysely<Database>, dataDir: string) {
  // The server's own settings for what seeding checks: the station's address must be allowed as it is for the server.
  const config = loadConfig({ VARCO_DATA_DIR: dataDir, VARCO_OUTBOUND_ALLOW_CIDRS: '127.0.0.0/8' });
  const deps = { db, clock: systemClock, audit: benchAudit, hooks: subscriptionHooks };
  const subscriptions = createSubscriptionsService({ ...deps, publicUrl: config.publicUrl });
  return {
    ...deps,
    config,
    subscriptions,
    registry: createContainer({ config, db, logger: createLogger('silent'), clock: systemClock, audit: benchAudit }).services.pagopaRegistry,
  };
}

/**
 * The PSP with a key of a product granting the node's route group. The `node` product allows 600
 * requests a minute per subscription; the load needs far more, so the key is of a bench product
 * whose limit (1,000,000/min, the maximum) the run cannot reach, as for benchmark 1.
 */
export async function seedPsp(db: Kysely<Database>, dataDir: string): Promise<BenchPsp> {
  const s = services(db, dataDir);
  const organisationId = await seedOrganisation(db, 'psp');
  const code = `benchnode${randomBytes(3).toString('hex')}`;
  const product = await createProductsService(s).create(
    {
      code,
      name: 'Benchmark node',
      description: 'npm run bench, row 5',
      routeGroups: ['node'],
      approvalRequiredTest: false,
      approvalRequiredProd: false,
      rateLimitPerMinute: 1_000_000,
    },
    CLI,
  );
  if (!product.ok) throw new Error(`seeding a product failed: ${product.reason}`);
  const keys = createKeysService({ ...s, publicUrl: s.config.publicUrl });
  const subscription = await keys.createActive({ organisationId, productCode: code, environment: 'test', name: 'bench psp' }, CLI);
  if (!subscription.ok) throw new Error(`seeding the PSP's subscription failed: ${subscription.reason}`);
  const tag = randomBytes(3).toString('hex').toUpperCase();
  const head = { idPSP: `PSP_${tag}`, idBrokerPSP: `BRK_${tag}`, idChannel: `BRK_${tag}_01`, password: CHANNEL_PASSWORD };
  const added = await s.registry.psps.addPsp(
    { organisationId, env: 'test', idPsp: head.idPSP, idBrokerPsp: head.idBrokerPSP, idChannel: head.idChannel, password: CHANNEL_PASSWORD },
    CLI,
  );
  if (!added.ok) throw new Error(`seeding the PSP records failed: ${added.problem}`);
  return { key: subscription.value.primary, head };
}

/** The EC organisation, its station at https://localhost:port (server root `serverRootPem`) approved and linked. */
export async function seedEc(
  db: Kysely<Database>,
  dataDir: string,
  ec: { fiscalCode: string; name: string; port: number; serverRootPem: string },
): Promise<BenchEc> {
  const s = services(db, dataDir);
  const masterKey = await loadMasterKey(loadConfig({ VARCO_DATA_DIR: dataDir }));
  const stations = createContainer({ config: s.config, db, logger: createLogger('silent'), clock: systemClock, audit: benchAudit, masterKey }).services;
  try {
    return await registerEc({ ...s, stations }, ec);
  } finally {
    // The wiring made a station caller (connection pools); seeding never calls it.
    await stations.stationCaller.close();
  }
}

async function registerEc(
  s: ReturnType<typeof services> & { stations: StationServices },
  ec: { fiscalCode: string; name: string; port: number; serverRootPem: string },
): Promise<BenchEc> {
  const created = await createOrganisationsService(s).create(
    { name: ec.name, taxCode: ec.fiscalCode, taxCodeKind: 'it', type: 'creditor_institution', contactEmail: 'bench-ec@varco.test' },
    CLI,
  );
  if (!created.ok) throw new Error(`seeding the EC organisation failed: ${created.reason}`);
  const organisationId = created.value.id;
  const trusted = await s.stations.trust.add('test', ec.serverRootPem, { organisationId }, CLI);
  if (!trusted.ok && trusted.reason !== 'already_trusted') throw new Error(`trusting the EC station's CA failed: ${trusted.reason}`);
  const stationCode = `${ec.fiscalCode}_01`;
  const registered = await s.stations.stations.register(
    organisationId,
    'test',
    { code: stationCode, primary: { url: `https://localhost:${ec.port}${EC_PATH}`, ip: '127.0.0.1', port: String(ec.port) } },
    CLI,
    { allowSharedHost: true },
  );
  if (!registered.ok) throw new Error(`registering the EC station failed: ${JSON.stringify(registered)}`);
  const approved = await s.stations.stations.reviewStation(registered.value.id, 'approve', '', CLI);
  if (!approved.ok) throw new Error(`approving the EC station failed: ${approved.reason}`);
  const linked = await s.registry.ecs.link({ organisationId, env: 'test', stationCode, auxDigit: '3', segregationCode: SEGREGATION_CODE, version: '2' }, CLI);
  if (!linked.ok) throw new Error(`linking the EC station failed: ${linked.problem}`);
  return { fiscalCode: ec.fiscalCode, name: ec.name, stationCode };
}
