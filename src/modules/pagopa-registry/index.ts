import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { AuditLog } from '../audit/index.ts';
import { verifyPassword } from '../identity/index.ts';
import { createPasswordCache, type PasswordCache } from './channel-password.cache.ts';
import { createRegistryCache, databaseLookups, type RegistryCache } from './directory.cache.ts';
import { createDirectory } from './directory.service.ts';
import { createEcsService, type EcsService } from './ecs.service.ts';
import { createPspsService, type PspsService } from './psps.service.ts';
import type { Environment, PagopaDirectory } from './registry.types.ts';

// Public surface of the pagoPA registry (issue 11; docs/adr/0017-pagopa-registry.md): PSP records,
// brokers and channels, creditor institutions and their EC → station links, per environment. The
// node engine uses the PagopaDirectory part (authorisePsp, routeNotice, receiptRoute, isEc); the
// portal, the back office and the CLI use the administration part.

export type {
  AuthorisePspInput,
  DisabledBy,
  EcRecord,
  EcRoute,
  Environment,
  PagopaDirectory,
  PspAuthorisation,
  RegistryActor,
  RegistryOutcome,
  RegistryProblem,
  RegistryRefusal,
  RouteOutcome,
  Switched,
} from './registry.types.ts';
export type { AddPspInput, AddedPsp, PspsService } from './psps.service.ts';
export type { EcsService, LinkInput, LinkOptions } from './ecs.service.ts';
export type { LinkListRow } from './registry.repository.ts';
export { checkLinkKey, channelPasswordProblem, isRegistryId, linkRoutingCode, receiptLink, selectLink } from './registry.policy.ts';
export type { AuxDigit, LinkKey, LinkKeyInput, LinkVerdict, RoutableLink } from './registry.policy.ts';
export { REGISTRY_PROBLEM_TEXT } from './registry.problems.ts';
export type { PasswordCache } from './channel-password.cache.ts';
export { REGISTRY_CHANNEL } from './directory.cache.ts';

export interface PagopaRegistryOptions {
  db: Kysely<Database>;
  clock: Clock;
  audit: AuditLog;
  /** Whether the organisation has an active `node` subscription in `env` (the referents' gate). */
  nodeActive: (organisationId: string, env: Environment) => Promise<boolean>;
  /** Verdicts kept per kind (right, wrong) by the channel password cache; default 10,000. */
  maxCachedPasswords?: number;
  /** For the directory cache's LISTEN connection (directory.cache.ts); without it the directory reads the database every time. */
  databaseUrl?: string | undefined;
  logger?: { warn(obj: object, msg?: string): void };
}

/** The registry: the node's directory plus the administration of PSPs and ECs. */
export interface PagopaRegistry extends PagopaDirectory {
  psps: PspsService;
  ecs: EcsService;
  /** The channel password verdict cache (its counters show whether argon2 ran). */
  passwords: PasswordCache;
  /** The directory's memory of the registry (stop it when the process closes). */
  cache: Pick<RegistryCache, 'start' | 'stop' | 'listening'>;
  /** The referents' gate: whether the organisation may call the node in `env` (an active `node` subscription). */
  nodeActive: (organisationId: string, env: Environment) => Promise<boolean>;
}

export function createPagopaRegistry(options: PagopaRegistryOptions): PagopaRegistry {
  const { db, clock, audit, nodeActive } = options;
  const passwords = createPasswordCache({
    verify: (hash, password) => verifyPassword(hash, password),
    ...(options.maxCachedPasswords === undefined ? {} : { maxEntries: options.maxCachedPasswords }),
  });
  const cache = createRegistryCache({ lookups: databaseLookups(db), databaseUrl: options.databaseUrl, logger: options.logger });
  const administration = { db, clock, audit, nodeActive, changed: cache.changed };
  return {
    ...createDirectory({ lookups: cache, passwords }),
    psps: createPspsService({ ...administration, passwords }),
    ecs: createEcsService(administration),
    passwords,
    cache,
    nodeActive,
  };
}
