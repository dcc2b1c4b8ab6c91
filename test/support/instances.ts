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
