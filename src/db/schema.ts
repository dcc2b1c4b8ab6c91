import type * as G from './schema.generated.ts';

// Table types for Kysely, generated from the migrated database into schema.generated.ts by
// `npm run db:codegen` (docs/adr/0029-generated-schema.md); a test fails when that file is stale.
// This file only gives the generated types the names the code uses; it declares no column itself.
// Each module owns its tables (docs/adr/0001); the types live here so the database layer can be
// typed without modules importing each other's repositories.

export type Database = G.DB;

export type OrganisationType = G.Organisations['type'];
export type Environment = G.Subscriptions['environment'];
export type SubscriptionState = G.Subscriptions['state'];
export type StationVersionState = G.StationVersions['state'];

export type OrdersTable = G.Orders;
export type OutboxTable = G.Outbox;
export type MerchantSettingsTable = G.MerchantSettings;
export type PagopaExchangesTable = G.PagopaExchanges;
export type PagopaReceiptsTable = G.PagopaReceipts;
export type PagopaReceiptAttemptsTable = G.PagopaReceiptAttempts;
