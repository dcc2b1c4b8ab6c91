// `npm run db:codegen`: writes src/db/schema.generated.ts from a database migrated to the newest
// migration (docs/adr/0029-generated-schema.md). With DATABASE_URL (as the schema's owner) that
// database is migrated and read; otherwise a throwaway embedded PostgreSQL is started and removed.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPool, ensureDatabase, migrate, startEmbedded } from '../src/db/index.ts';
import { generateSchemaSource, SCHEMA_GENERATED_FILE } from '../src/db/schema-codegen.ts';
import { freePort } from '../test/support/processes.ts';

async function generateFrom(url: string): Promise<string> {
  const pool = createPool(url, 2);
  try {
    await migrate(pool);
    return await generateSchemaSource(pool);
  } finally {
    await pool.end();
  }
}

async function main(): Promise<void> {
  let source: string;
  const external = process.env.DATABASE_URL;
  if (external) {
    source = await generateFrom(external);
  } else {
    const dataDir = await mkdtemp(join(tmpdir(), 'varco-codegen-'));
    try {
      const server = await startEmbedded({ dataDir, port: await freePort(), mode: 'own' });
      try {
        await ensureDatabase(server.url('postgres'), 'varco');
        source = await generateFrom(server.url('varco'));
      } finally {
        await server.stop();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }
  await writeFile(SCHEMA_GENERATED_FILE, source);
  process.stdout.write(`wrote ${fileURLToPath(SCHEMA_GENERATED_FILE)}\n`);
}

await main();
