export { loadConfig, configurationTable, ConfigError } from './config.ts';
export type { Config } from './config.ts';
export { SETTINGS } from './settings.ts';
