// Failover between a primary and a secondary (disaster-recovery) endpoint, and the background
// probe that brings the primary back, with real HTTPS peers that go down and come back.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { createOutboundClient, type EndpointSet, type OutboundClient } from '../../src/modules/outbound/index.ts';
import { daysFromNow, makeLeaf, refusedPort } from '../support/tls-peers.ts';
import { endpointOf, goodPeer, makeWorld, mutual, type World } from './fixtures.ts';
import { testDestinations } from '../support/outbound.ts';

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('outbound failover', () => {
  let world: World;
  let client: OutboundClient;
  const logged: string[] = [];
  before(async () => {
    world = await makeWorld();
    client = createOutboundClient({
      mode: mutual(world),
      destinations: testDestinations(),
      probeIntervalMs: 50,
      logger: { info: (_object, message) => logged.push(message), warn: (_object, message) => logged.push(message) },
    });
  });
  after(() => client.close());

  it('sends to the secondary while the primary is down, and back to the primary once a probe succeeds', async () => {
    const primary = await goodPeer(world, { host: '127.0.0.3' });
    const secondary = await goodPeer(world, { host: '127.0.0.4' });
    const endpoints: EndpointSet = { key: 'sta_1:test', primary: endpointOf(primary), secondary: endpointOf(secondary) };
    await primary.stop();

    const first = await client.send({ env: 'test', endpoints, trust: world.trust }, { method: 'POST', body: '{"n":1}' });
    assert.equal(first.kind === 'response' && first.endpoint, 'secondary');
    assert.equal(secondary.requests[0]?.body.toString('utf8'), '{"n":1}');
    const down = client.health();
    assert.equal(down.length, 1);
    assert.equal(down[0]?.slot, 'test:sta_1:test:primary');
    assert.equal(down[0]?.lastFailure?.code, 'connection_refused');
    assert.ok(logged.some((line) => line.startsWith('outbound endpoint marked down')));

    // While down, the primary is not tried at all: one attempt per request.
    const attemptsBefore = client.stats().attempts;
    const second = await client.send({ env: 'test', endpoints, trust: world.trust }, { method: 'POST', body: '{"n":2}' });
    assert.equal(second.kind === 'response' && second.endpoint, 'secondary');
    assert.equal(client.stats().attempts - attemptsBefore, 1);

    await primary.start();
    await waitFor(() => client.health().length === 0, 'the probe to bring the primary back');
    assert.ok(client.stats().probes >= 1);
    assert.ok(logged.some((line) => line.includes('answers again')));
    const third = await client.send({ env: 'test', endpoints, trust: world.trust }, { method: 'POST', body: '{"n":3}' });
    assert.equal(third.kind === 'response' && third.endpoint, 'primary');
    assert.equal(primary.requests.at(-1)?.body.toString('utf8'), '{"n":3}');
    assert.equal(secondary.requests.length, 2);
  });

  it('fails over when the primary times out, and when its certificate is refused', async () => {
    const slow = await goodPeer(world, { reply: () => undefined });
    const expiredLeaf = await makeLeaf({
      issuer: world.orgIntermediate,
      commonName: 'localhost',
      altNames: ['localhost'],
      notBefore: daysFromNow(-90),
      notAfter: daysFromNow(-1),
    });
    const expired = await goodPeer(world, { leaf: expiredLeaf });
    const secondary = await goodPeer(world, { host: '127.0.0.5' });
    // A client of its own whose probe does not run during the test: the slow primary handshakes fine
    // (it only never answers), so the shared client's 50 ms probe marked it up again, and cleared the
    // failure this test reads, whenever the secondary's answer took longer than that on a loaded machine.
    const patient = createOutboundClient({ mode: mutual(world), destinations: testDestinations(), probeIntervalMs: 600_000 });
    try {
      const timedOut = await patient.send(
        {
          env: 'test',
          endpoints: { key: 'slow', primary: endpointOf(slow, { responseTimeoutMs: 300 }), secondary: endpointOf(secondary) },
          trust: world.trust,
        },
        { method: 'POST', body: 'a' },
      );
      assert.equal(timedOut.kind === 'response' && timedOut.endpoint, 'secondary');
      const refused = await patient.send(
        { env: 'test', endpoints: { key: 'expired', primary: endpointOf(expired), secondary: endpointOf(secondary) }, trust: world.trust },
        { method: 'POST', body: 'b' },
      );
      assert.equal(refused.kind === 'response' && refused.endpoint, 'secondary');
      assert.deepEqual(
        secondary.requests.map((request) => request.body.toString('utf8')),
        ['a', 'b'],
      );
      const failureOf = (key: string): string | undefined => patient.health().find((entry) => entry.slot.startsWith(`test:${key}`))?.lastFailure?.code;
      assert.deepEqual([failureOf('slow'), failureOf('expired')], ['response_timeout', 'certificate_expired']);
    } finally {
      await patient.close();
    }
  });

  it('reports the secondary failure with the primary one when both are down', async () => {
    const [primaryPort, secondaryPort] = [await refusedPort('127.0.0.6'), await refusedPort('127.0.0.7')];
    const result = await client.send(
      {
        env: 'test',
        trust: world.trust,
        endpoints: {
          key: 'both-down',
          primary: { url: `https://localhost:${primaryPort}/service`, ip: '127.0.0.6', port: primaryPort },
          secondary: { url: `https://localhost:${secondaryPort}/service`, ip: '127.0.0.7', port: secondaryPort },
        },
      },
      { method: 'GET' },
    );
    assert.equal(result.kind, 'failure');
    assert.equal(result.endpoint, 'secondary');
    assert.equal(result.code, 'connection_refused');
    assert.equal(result.previous?.endpoint, 'primary');
    assert.equal(result.previous?.code, 'connection_refused');
  });

  it('without a secondary returns the primary failure and keeps trying the primary', async () => {
    const port = await refusedPort('127.0.0.8');
    const endpoints: EndpointSet = { key: 'alone', primary: { url: `https://localhost:${port}/service`, ip: '127.0.0.8', port } };
    const result = await client.send({ env: 'test', endpoints, trust: world.trust }, { method: 'GET' });
    assert.equal(result.kind === 'failure' && result.endpoint, 'primary');
    assert.ok(!client.health().some((entry) => entry.slot.startsWith('test:alone')));
  });
});
