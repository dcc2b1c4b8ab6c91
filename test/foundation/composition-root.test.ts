import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { buildTestApp, testContainer } from '../support/app.ts';

// Issue 12 (docs/adr/0027-composition-root.md): every service is constructed in src/app/container.ts,
// once per process. The first test reads the source: a module's factory called anywhere else in src
// (a command, an entry point, another module) fails it. The second counts what one process builds.

const ROOT = join(import.meta.dirname, '..', '..');
const SRC = join(ROOT, 'src');
const CONTAINER = 'src/app/container.ts';

/** Not services: made by the entry point before the container (from the checked master key), or a caller's private memo. */
const EXEMPT: Record<string, string> = {
  createAuditLog: 'the entry point makes the audit log from the master key it checked, and hands it to the container',
  createTrustCache: 'a per-caller memo of trust roots (each sender keeps its own), not a service',
  createReferent: "identity's function that inserts a referent's user row in the caller's transaction, not a factory",
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Every `create…` a module's index.ts exports as a value, with the module that owns it. */
function moduleFactories(): Map<string, string> {
  const factories = new Map<string, string>();
  for (const module of readdirSync(join(SRC, 'modules'))) {
    const index = readFileSync(join(SRC, 'modules', module, 'index.ts'), 'utf8');
    // Value exports only: `export { a, createX } from …` and `export function createX`.
    const valueExports = [...index.matchAll(/^export (?:\{([^}]*)\}|function (\w+))/gm)].flatMap((m) => (m[1] ?? m[2] ?? '').split(','));
    for (const name of valueExports.map(
      (n) =>
        n
          .trim()
          .split(/\s+as\s+/)
          .pop() ?? '',
    )) {
      if (/^create[A-Z]\w*$/.test(name) && !(name in EXEMPT)) factories.set(name, module);
    }
  }
  return factories;
}

test('module service factories are called only in src/app/container.ts (a module may compose its own)', () => {
  const factories = moduleFactories();
  // The list the rule guards, so a rename cannot empty it unnoticed.
  for (const name of [
    'createPagopaNode',
    'createPlatformPki',
    'createOutboundClient',
    'createStationServices',
    'createSubscriptionServices',
    'createReceiptsService',
    'createIdentityService',
    'createMerchantsService',
    'createOutboxWorker',
    'createSmtpMailer',
    'createFeedbackSender',
  ]) {
    assert.ok(factories.has(name), `${name} is no longer exported by a module's index.ts: update this test`);
  }
  const offences: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const path = relative(ROOT, file).split(sep).join('/');
    if (path === CONTAINER) continue;
    const text = readFileSync(file, 'utf8');
    for (const [name, module] of factories) {
      // Inside its own module a factory may be composed (createStationServices builds the station caller).
      if (path.startsWith(`src/modules/${module}/`)) continue;
      const calls = [...text.matchAll(new RegExp(`(?<!function )\\b${name}\\(`, 'g'))];
      if (calls.length > 0) offences.push(`${path}: ${name}() (module ${module})`);
    }
  }
  assert.deepEqual(offences, [], 'construct services in src/app/container.ts and ask the container for them');
});

test('one process (the app and its workers from one container) holds one outbound client per kind, one PlatformPki, one of each service', async () => {
  const t = await buildTestApp();
  const { container } = t;
  container.workers();
  const built = container.constructed();
  assert.equal(built['outboundClient.mutual'], 1, 'one mutual-TLS client: the station caller, shared by the pages, the node and the receipts');
  assert.equal(built['outboundClient.plain'], 1, 'one plain client: the feedback sender, shared by the payment page and the outbox');
  for (const part of [
    'platformPki',
    'stationServices',
    'subscriptionServices',
    'receiptsService',
    'pagopaNode',
    'pagopaRegistry',
    'hostedPage',
    'destinationPolicy',
    'workers',
  ]) {
    assert.equal(built[part], 1, part);
  }
  // The workers deliver with the app's own parts, not copies.
  assert.equal(container.deliveryHandlers().http, t.services.hostedPage.feedback.deliver);
  assert.equal(container.platform(), container.platform());
  await container.workers().start();
  await container.workers().stop();
  assert.deepEqual(container.constructed(), built, 'starting and stopping builds nothing more');
});

test('a container builds nothing until asked, and a service replaced before its first use is the one its dependents get', async () => {
  const t = await buildTestApp();
  const container = testContainer(t);
  assert.deepEqual(container.constructed(), {});
  const registry = container.services.pagopaRegistry;
  assert.deepEqual(Object.keys(container.constructed()), ['pagopaRegistry', 'subscriptionServices']);
  const receipts = { ...t.services.receipts };
  container.services.receipts = receipts;
  assert.equal(container.services.receipts, receipts);
  assert.equal(container.services.pagopaRegistry, registry);
  assert.equal(container.constructed().platformPki, undefined, 'no PKI for a registry');
});
