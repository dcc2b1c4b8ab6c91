import assert from 'node:assert/strict';
import { after } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app/build.ts';
import { createContainer, type ContainerDeps, type Services } from '../../src/app/container.ts';
import { createLogger } from '../../src/app/logger.ts';
import { createKysely, createPool } from '../../src/db/index.ts';
import { systemClock, type Clock } from '../../src/kernel/clock.ts';
import type { TestApp } from './app.ts';

/**
 * Another Varco instance on the same database as `first`: its own pool, services and app, as a
 * second process behind a load balancer would have. Closed after the file.
 */
export async function secondInstance(
  first: TestApp,
  options: { clock?: Clock; customise?: (services: Services, deps: ContainerDeps) => void } = {},
): Promise<{ app: FastifyInstance; services: Services }> {
  const db = createKysely(createPool(first.database.url, 5));
  const container = createContainer({
    config: first.config,
    db,
    logger: createLogger('silent'),
    clock: options.clock ?? systemClock,
    audit: first.audit,
    masterKey: first.masterKey,
  });
  const { services } = container;
  options.customise?.(services, container.deps);
  const app = await buildApp(container);
  after(async () => {
    await app.close();
    await container.close();
    await db.destroy();
  });
  return { app, services };
}

/**
 * Polls `read` every 10 ms until it answers `expected`, as a change made on one instance reaches
 * another through LISTEN/NOTIFY; how long it took. Fails the test after a second.
 */
export async function within1s(read: () => Promise<string>, expected: string, what: string): Promise<number> {
  const started = Date.now();
  let last = await read();
  while (last !== expected && Date.now() - started < 1000) {
    await new Promise((done) => setTimeout(done, 10));
    last = await read();
  }
  assert.equal(last, expected, `${what}: still ${last} after a second`);
  return Date.now() - started;
}
