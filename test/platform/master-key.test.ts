import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import { checkMasterKey, loadMasterKey, masterKeyFile } from '../../src/app/master-key.ts';
import { generateSecretboxKey, secretboxKeyId } from '../../src/kernel/secretbox.ts';
import { createKysely, createPool } from '../../src/db/index.ts';
import { createTestDatabase } from '../support/db.ts';
import { testConfig } from '../support/app.ts';

// The master key's id is recorded by the first instance on a database. A second instance (or a
// restored backup's first start) without the key must not leave a key of its own behind: the next
// start would take that file for the right key, and nothing sealed could ever be opened with it.

const database = await createTestDatabase(2);

test('the first instance records its key; a second data directory without master.key is refused, names the key id and keeps no key; with the copied key it starts', async () => {
  const first = await testConfig();
  const key = await loadMasterKey(first);
  await checkMasterKey(database.db, key);
  assert.ok(existsSync(masterKeyFile(first)));

  const second = await testConfig();
  const made = await loadMasterKey(second);
  await assert.rejects(
    checkMasterKey(database.db, made),
    new RegExp(`VARCO_MASTER_KEY is unset and .* had no master\\.key, but this database was set up with key id ${secretboxKeyId(key)}: copy the master\\.key`),
  );
  assert.equal(existsSync(masterKeyFile(second)), false, 'the refused key is not left in the data directory');

  await copyFile(masterKeyFile(first), masterKeyFile(second));
  await checkMasterKey(database.db, await loadMasterKey(second));
});

test('a configured key that differs is refused as before', async () => {
  const other = generateSecretboxKey();
  const config = await testConfig({ VARCO_MASTER_KEY: other.toString('base64') });
  await assert.rejects(checkMasterKey(database.db, await loadMasterKey(config)), /VARCO_MASTER_KEY does not match the key this database was set up with/);
});

test('a master.key that was already in the data directory and does not match is refused and kept: only a key generated just now is taken back', async () => {
  const config = await testConfig();
  await writeFile(masterKeyFile(config), `${generateSecretboxKey().toString('base64')}\n`, { mode: 0o600 });
  const before = await readFile(masterKeyFile(config), 'utf8');
  await assert.rejects(checkMasterKey(database.db, await loadMasterKey(config)), /VARCO_MASTER_KEY does not match the key this database was set up with/);
  assert.equal(await readFile(masterKeyFile(config), 'utf8'), before, 'the operator’s file is untouched');
});

test('a key generated for a database that cannot be reached is not left behind either', async () => {
  const config = await testConfig();
  const unreachable = createKysely(createPool('postgres://nobody:wrong@127.0.0.1:1/none', 1));
  await assert.rejects(checkMasterKey(unreachable, await loadMasterKey(config)));
  assert.equal(existsSync(masterKeyFile(config)), false);
  await unreachable.destroy();
});
