import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

// Issue 15, target 3 (ready ≤ 2 s): packages that a start does not need are loaded when first used,
// not with the server's modules: nodemailer (first e-mail sent or SMTP check), prom-client (only with
// VARCO_METRICS_TOKEN), @peculiar/x509 (only when a certificate is issued), the list of common
// passwords (first password checked) and the API reference's generator and UI (first request for
// /api/docs). Each cost a start 40-130 ms. This loads the modules the server's
// entry imports (src/main/run-server.ts, without running it) in a fresh process and lists the packages.

const ROOT = resolve(import.meta.dirname, '../..');
const LAZY = ['nodemailer', 'prom-client', '@peculiar/x509', 'fxa-common-password-list', '@fastify/swagger', '@fastify/swagger-ui'];

// The entry's own value imports, read from its source, so the list follows the entry.
async function entryImports(): Promise<string[]> {
  const source = await readFile(join(ROOT, 'src/main/run-server.ts'), 'utf8');
  return [...source.matchAll(/^import (?!type )[^;]*? from '(\.{1,2}\/[^']+)';$/gm)].map((m) => pathToFileURL(join(ROOT, 'src/main', m[1] ?? '')).href);
}

const probe = (modules: string[]): string => `
import { registerHooks } from 'node:module';
const seen = new Set();
registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(r.url); if (m) seen.add(m[1]); return r; } });
for (const m of ${JSON.stringify(modules)}) await import(m);
process.stdout.write(JSON.stringify([...seen]));
`;

test("the server's modules load without the packages only some starts need", async () => {
  const modules = await entryImports();
  assert.ok(modules.length >= 5, `the entry's imports were found: ${modules.join(', ')}`);
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', probe(modules)], { cwd: ROOT });
  const loaded = JSON.parse(stdout) as string[];
  // The probe sees packages at all: fastify and kysely are always loaded.
  assert.ok(loaded.includes('fastify') && loaded.includes('kysely'), `the probe saw: ${loaded.join(', ')}`);
  for (const name of LAZY) assert.ok(!loaded.includes(name), `${name} is loaded at start-up`);
});
