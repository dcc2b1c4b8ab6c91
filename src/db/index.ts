export { openDatabase, createPool, createKysely } from './connection.ts';
export type { DatabaseHandle } from './connection.ts';
export { migrate, loadMigrations, MIGRATIONS_DIR } from './migrate.ts';
export { startEmbedded, ensureDatabase } from './embedded.ts';
export { createListener } from './listen.ts';
export type { Listener, ListenerHooks } from './listen.ts';
export type { EmbeddedServer } from './embedded.ts';
export type { Database, StationVersionState, Environment, SubscriptionState, OrganisationType } from './schema.ts';
export type { Kysely, Transaction } from 'kysely';
