// Public surface of the merchants module: a merchant account per organisation, its PSPID per
// environment, the two technical configurations (test, prod) with their passphrases sealed by the
// master key, the configuration cache the hosted page reads, the error log and the SHASIGN tool.
// The checkout module and the /portal, /ncol contexts import from here only (docs/adr/0023-ecommerce-split.md).

// Accounts and technical settings.
export { createMerchantsService } from './merchants.service.ts';
export type { MerchantActor, MerchantView, MerchantsService, SettingsView } from './merchants.service.ts';
export { FEEDBACK_PARAMETERS, checkPspid, s2sUrlProblem } from './settings.policy.ts';
export type { PassphraseInput, SettingsInput, SettingsProblem } from './settings.policy.ts';
export { checkPassphrase } from './passphrase.policy.ts';

// API users (DirectLink's USERID + PSWD), per PSPID and environment.
export { USERID_PATTERN, createApiUsersService } from './api-users.service.ts';
export type { ApiUserProblem, ApiUserView, ApiUsersService, SaveApiUserOutcome } from './api-users.service.ts';

// What the hosted page reads: one configuration per PSPID and environment, cached in memory.
export type { EcommerceEnv, MerchantConfig, MerchantDirectory } from './merchant.types.ts';
export { createConfigCache } from './config.cache.ts';
export type { ConfigCache } from './config.cache.ts';
// Registered with the subscriptions module at wiring: PSPID reservation on approval, cache invalidation.
export { merchantSubscriptionHooks } from './merchant.hooks.ts';

// The merchant's error log: written by the hosted page, read by the merchant; pruned by the workers.
export { createErrorLogService } from './error-log.service.ts';
export type { EntryErrorInput, ErrorLogEntry, ErrorLogService } from './error-log.service.ts';
export type { ErrorLogMerchant, ErrorLogSearch } from './error-log.search.ts';
export { pruneErrorLog } from './error-log.retention.ts';

// The SHASIGN tool (portal, CLI).
export { SHASIGN_TOOL_MAX_LINES, parseParamLines, shaTool } from './shasign.tool.ts';

// An order's merchant (organisation, name) as expressions in checkout's own queries (docs/adr/0011).
export { merchantConfigured, merchantOwner } from './merchants.repository.ts';
