export { loadConfig, configurationTable, ConfigError } from './config.ts';
export type { Config } from './config.ts';
export { SETTINGS } from './settings.ts';
export { splitDatabaseUrl, describeDatabaseHosts } from './database-url.ts';
export type { DatabaseUrlHosts } from './database-url.ts';
