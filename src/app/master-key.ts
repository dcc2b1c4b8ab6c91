import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Config } from '../config/index.ts';
import type { Database } from '../db/index.ts';
import { ConfigError } from '../config/index.ts';
import { generateSecretboxKey, parseSecretboxKey, secretboxKeyId } from '../kernel/secretbox.ts';
import { claimMasterKeyId } from '../modules/platform/index.ts';

// The master key sealing secrets at rest. From VARCO_MASTER_KEY, or generated once into the data
// directory for the embedded default. Its key id is recorded in the database: an instance started
// with another key (a second instance without the shared setting, a restored data directory)
// refuses to start rather than sealing new secrets under a key the others cannot open.

/** The configured master key, or the data directory's; undefined when neither exists yet (nothing is created). */
export async function readMasterKey(config: Config): Promise<Buffer | undefined> {
  if (config.masterKey) {
    const key = parseSecretboxKey(config.masterKey);
    if (!key) throw new ConfigError('VARCO_MASTER_KEY', 'must be 32 bytes encoded in base64');
    return key;
  }
  const file = masterKeyFile(config);
  if (!existsSync(file)) return undefined;
  const key = parseSecretboxKey((await readFile(file, 'utf8')).trim());
  if (!key) throw new ConfigError('VARCO_MASTER_KEY', `is unset and ${file} does not hold a valid key`);
  return key;
}

export const masterKeyFile = (config: Config): string => join(config.dataDir, 'master.key');

/** Keys this process has just generated, with the file written: checkMasterKey takes a refused one back. */
const generated = new WeakMap<Buffer, string>();

export async function loadMasterKey(config: Config): Promise<Buffer> {
  const existing = await readMasterKey(config);
  if (existing) return existing;
  const key = generateSecretboxKey();
  await mkdir(config.dataDir, { recursive: true });
  const file = masterKeyFile(config);
  await writeFile(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  generated.set(key, file);
  return key;
}

export async function checkMasterKey(db: Kysely<Database>, key: Buffer): Promise<void> {
  const kid = secretboxKeyId(key);
  let recorded: string;
  try {
    recorded = await claimMasterKeyId(db, kid);
  } catch (error) {
    // The claim itself failed (the database away): a key made just now is not kept either.
    await forgetGenerated(key);
    throw error;
  }
  if (recorded === kid) return;
  const file = await forgetGenerated(key);
  if (file !== undefined) {
    throw new ConfigError(
      'VARCO_MASTER_KEY',
      `is unset and ${dirname(file)} had no master.key, but this database was set up with key id ${recorded}: copy the master.key of an instance that uses this database (or the one kept apart from the backup) into ${dirname(file)}, or set VARCO_MASTER_KEY to it`,
    );
  }
  throw new ConfigError(
    'VARCO_MASTER_KEY',
    `does not match the key this database was set up with (key id ${recorded}); give every instance the same VARCO_MASTER_KEY`,
  );
}

/**
 * A key made just now for a database that already has one (a second instance's data directory, a
 * restored backup) could never open the database's secrets: its file is removed, so it is not taken for
 * the right key at the next start, but only while it still holds that key (another process may have
 * replaced it). The file's path when the key was generated here; undefined otherwise.
 */
async function forgetGenerated(key: Buffer): Promise<string | undefined> {
  const file = generated.get(key);
  if (file === undefined) return undefined;
  generated.delete(key);
  const now = await readFile(file, 'utf8').catch(() => '');
  if (now.trim() === key.toString('base64')) await rm(file, { force: true });
  return file;
}
