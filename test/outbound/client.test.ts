// The outbound client against real HTTPS peers: what it sends, where it connects, how it reuses
// connections, and how each transport failure is classified.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createDestinationPolicy,
  createOutboundClient,
  type ClientIdentity,
  type Endpoint,
  type OutboundClient,
  type OutboundResult,
} from '../../src/modules/outbound/index.ts';
import {
  daysFromNow,
  hasOpenSsl,
  makeCa,
  makeLeaf,
  refusedPort,
  startOpenSslPeer,
  startSilentPeer,
  type Peer,
  type PeerOptions,
} from '../support/tls-peers.ts';
import { endpointOf, goodPeer, makeWorld, mutual, type World } from './fixtures.ts';
import { testDestinations } from '../support/outbound.ts';

function assertFailure(result: OutboundResult, category: string, code: string): Extract<OutboundResult, { kind: 'failure' }> {
  assert.equal(result.kind, 'failure', `expected a failure, got ${JSON.stringify(result)}`);
  assert.equal(result.category, category, result.message);
  assert.equal(result.code, code, result.message);
  return result;
}

describe('outbound client', () => {
  let world: World;
  let client: OutboundClient;
  before(async () => {
    world = await makeWorld();
    client = createOutboundClient({ mode: mutual(world), destinations: testDestinations(), connectionsPerEndpoint: 4 });
  });
  after(() => client.close());
  const send = (
    endpoint: Endpoint,
    request: Parameters<OutboundClient['send']>[1] = { method: 'POST', body: '{"event":1}', headers: { 'content-type': 'application/json' } },
  ): Promise<OutboundResult> => client.send({ env: 'test', endpoints: { key: `set-${endpoint.port}`, primary: endpoint }, trust: world.trust }, request);

  it('delivers a request over mutual TLS and returns the application answer', async () => {
    const peer = await goodPeer(world, {
      reply: (request) => ({ status: 201, headers: { 'x-seen': request.url }, body: `got ${request.body.toString('utf8')}` }),
    });
    const result = await send(endpointOf(peer));
    assert.equal(result.kind, 'response');
    assert.equal(result.status, 201);
    assert.equal(result.body, 'got {"event":1}');
    assert.equal(result.headers['x-seen'], '/service');
    assert.equal(result.endpoint, 'primary');
    assert.equal(result.bodyTruncated, false);
    const seen = peer.requests[0]!;
    assert.equal(seen.method, 'POST');
    assert.equal(seen.headers.host, `localhost:${peer.port}`);
    assert.equal(seen.headers['content-type'], 'application/json');
    assert.ok(seen.protocol === 'TLSv1.3' || seen.protocol === 'TLSv1.2');
    // The platform client certificate was presented and accepted by the peer.
    assert.ok(seen.clientCertificatePem?.includes('BEGIN CERTIFICATE'));
    assert.equal(new (await import('node:crypto')).X509Certificate(seen.clientCertificatePem!).fingerprint256, world.platformClient.fingerprint256);

    const other = await send(endpointOf(peer), { method: 'GET', path: '/other?x=1' });
    assert.equal(other.kind, 'response');
    assert.equal(peer.requests[1]?.url, '/other?x=1');
  });

  it('keeps connections alive: 50 sequential requests open at most the pool size of TLS connections', async () => {
    const peer = await goodPeer(world);
    const endpoint = endpointOf(peer);
    const before = client.stats().connectionsOpened;
    for (let i = 0; i < 50; i++) {
      const result = await send(endpoint);
      assert.equal(result.kind === 'response' && result.status, 200);
    }
    assert.equal(peer.requests.length, 50);
    assert.ok(peer.secureConnections >= 1 && peer.secureConnections <= 4, `handshakes: ${peer.secureConnections}`);
    assert.equal(client.stats().connectionsOpened - before, peer.secureConnections);
  });

  it('keeps concurrent requests within the pool: 50 at once, no more than 4 handshakes', async () => {
    const peer = await goodPeer(world);
    const endpoint = endpointOf(peer);
    const results = await Promise.all(Array.from({ length: 50 }, () => send(endpoint)));
    assert.ok(results.every((result) => result.kind === 'response' && result.status === 200));
    assert.ok(peer.secureConnections <= 4, `handshakes: ${peer.secureConnections}`);
  });

  it('connects to the registered IP even when the FQDN resolves elsewhere, and verifies the FQDN', async () => {
    // localhost resolves to 127.0.0.1; this peer listens only on 127.0.0.2.
    const peer = await goodPeer(world, { host: '127.0.0.2' });
    const result = await send(endpointOf(peer));
    assert.equal(result.kind === 'response' && result.status, 200);
    assert.equal(peer.requests.length, 1);
    // Same address, but a URL whose host the certificate does not name: refused on the FQDN.
    const wrongName = await send({ ...endpointOf(peer), url: `https://pay.example.org:${peer.port}/service` });
    assertFailure(wrongName, 'certificate', 'certificate_name_mismatch');
    assert.equal(peer.requests.length, 1);
  });

  it('refuses a certificate naming the FQDN only through a partial or multi-label wildcard, as Verify does, sending nothing', async () => {
    for (const name of ['stat*.hosting.test', '*.test']) {
      const leaf = await makeLeaf({ issuer: world.orgIntermediate, commonName: name, altNames: [name] });
      const peer = await goodPeer(world, { leaf });
      // Node's own check accepts `stat*` for station.hosting.test; the station's name rules do not.
      assertFailure(await send({ ...endpointOf(peer), url: `https://station.hosting.test:${peer.port}/service` }), 'certificate', 'certificate_name_mismatch');
      assert.equal(peer.requests.length, 0, name);
    }
    const whole = await goodPeer(world, {
      leaf: await makeLeaf({ issuer: world.orgIntermediate, commonName: '*.hosting.test', altNames: ['*.hosting.test'] }),
    });
    const answered = await send({ ...endpointOf(whole), url: `https://station.hosting.test:${whole.port}/service` });
    assert.equal(answered.kind === 'response' && answered.status, 200, 'a wildcard for the whole left-most label names it');
  });

  it('classifies an answer that never comes as a response timeout', async () => {
    const peer = await goodPeer(world, { reply: () => undefined });
    const result = assertFailure(await send(endpointOf(peer, { responseTimeoutMs: 300 })), 'timeout', 'response_timeout');
    assert.match(result.message, /no complete answer within 300 ms/);
  });

  it('classifies a TLS handshake that never completes as a timeout', async () => {
    const silent = await startSilentPeer();
    const endpoint: Endpoint = { url: `https://localhost:${silent.port}/service`, ip: silent.host, port: silent.port, connectTimeoutMs: 300 };
    const result = assertFailure(await send(endpoint), 'timeout', 'tls_timeout');
    assert.match(result.message, /TCP connection to localhost at 127\.0\.0\.1:\d+ opened but the TLS handshake did not complete within 300 ms/);
  });

  it('classifies a refused port as unreachable', async () => {
    const port = await refusedPort();
    const result = assertFailure(await send({ url: `https://localhost:${port}/service`, ip: '127.0.0.1', port }), 'unreachable', 'connection_refused');
    assert.match(result.message, /refused/);
  });

  it('classifies server certificate problems as certificate failures', async () => {
    const expired = await makeLeaf({
      issuer: world.orgIntermediate,
      commonName: 'localhost',
      altNames: ['localhost'],
      notBefore: daysFromNow(-400),
      notAfter: daysFromNow(-1),
    });
    assertFailure(await send(endpointOf(await goodPeer(world, { leaf: expired }))), 'certificate', 'certificate_expired');
    assertFailure(await send(endpointOf(await goodPeer(world, { chain: [] }))), 'certificate', 'certificate_chain_incomplete');
    const otherRoot = await makeCa({ name: 'Elsewhere Root' });
    const stranger = await makeLeaf({ issuer: otherRoot, commonName: 'localhost', altNames: ['localhost'] });
    assertFailure(await send(endpointOf(await goodPeer(world, { leaf: stranger, chain: [otherRoot] }))), 'certificate', 'certificate_untrusted');
    const weak = await makeLeaf({ issuer: world.orgIntermediate, commonName: 'localhost', altNames: ['localhost'], key: { type: 'rsa', bits: 1024 } });
    assertFailure(await send(endpointOf(await goodPeer(world, { leaf: weak, ciphers: 'DEFAULT@SECLEVEL=0' }))), 'certificate', 'certificate_key_too_weak');
  });

  it('classifies an old protocol and a refused client certificate as TLS failures', async () => {
    const old = await goodPeer(world, { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' });
    assertFailure(await send(endpointOf(old)), 'tls', 'protocol_version');
    const otherCa = await makeCa({ name: 'Somebody Else CA' });
    const refusing13 = await goodPeer(world, { clientCas: [otherCa.certPem] });
    const result13 = assertFailure(await send(endpointOf(refusing13)), 'tls', 'client_certificate_rejected');
    assert.match(result13.message, /right after receiving Varco's client certificate/);
    const refusing12 = await goodPeer(world, { clientCas: [otherCa.certPem], maxVersion: 'TLSv1.2' });
    assertFailure(await send(endpointOf(refusing12)), 'tls', 'client_certificate_rejected');
    assert.equal(refusing13.requests.length + refusing12.requests.length, 0);
  });

  it(
    'classifies a TLS alert refusing our certificate (OpenSSL server) as a TLS failure',
    { skip: hasOpenSsl ? false : 'no openssl binary at /usr/bin/openssl' },
    async () => {
      const otherCa = await makeCa({ name: 'Somebody Else CA' });
      const peer = await startOpenSslPeer({ leaf: world.orgLeaf, chain: [world.orgIntermediate], clientCas: [otherCa.certPem] });
      const result = assertFailure(
        await send({ url: `https://localhost:${peer.port}/`, ip: peer.host, port: peer.port }, { method: 'GET' }),
        'tls',
        'client_certificate_rejected',
      );
      assert.match(result.message, /refused Varco's client certificate \(TLS alert "tlsv1 alert unknown ca"\)/);
    },
  );

  it('cuts bodies longer than the limit and says so', async () => {
    const small = createOutboundClient({ mode: mutual(world), destinations: testDestinations(), maxResponseBytes: 1000 });
    after(() => small.close());
    const peer = await goodPeer(world, { reply: () => ({ status: 200, body: 'x'.repeat(5000) }) });
    const result = await small.send({ env: 'test', endpoints: { key: 'big', primary: endpointOf(peer) }, trust: world.trust }, { method: 'GET' });
    assert.equal(result.kind, 'response');
    assert.equal(result.body.length, 1000);
    assert.equal(result.bodyTruncated, true);
    // The rest is not read: the connection is closed at once, even when the rest would never come.
    const endless = await goodPeer(world, { reply: () => ({ status: 200, body: 'y'.repeat(5000), announcedLength: 1_000_000, stall: true }) });
    const cut = await small.send({ env: 'test', endpoints: { key: 'endless', primary: endpointOf(endless) }, trust: world.trust }, { method: 'GET' });
    assert.equal(cut.kind === 'response' ? cut.bodyTruncated : undefined, true);
    const deadline = performance.now() + 2000;
    while (endless.closedConnections === 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(endless.closedConnections, 1, 'the connection of the cut answer was closed');
  });

  it('classifies an answer broken off in its body as a failure, not a response', async () => {
    const peer = await goodPeer(world, { reply: () => ({ status: 200, body: 'the first part', announcedLength: 5000 }) });
    const result = assertFailure(await send(endpointOf(peer)), 'unreachable', 'connection_closed');
    assert.match(result.message, /closed the connection before a complete answer/);
    // The client carries on: the next answer on a fresh connection is read whole.
    const whole = await goodPeer(world);
    const next = await send(endpointOf(whole));
    assert.equal(next.kind, 'response');
    assert.equal(next.kind === 'response' ? next.body : '', '{"ok":true}');
  });

  it('cuts off a body that stalls after its headers, as a response timeout, and a body its caller aborts', async () => {
    const peer = await goodPeer(world, { reply: () => ({ status: 200, body: 'the first part', announcedLength: 5000, stall: true }) });
    const stalled = assertFailure(await send(endpointOf(peer, { responseTimeoutMs: 300 })), 'timeout', 'response_timeout');
    assert.match(stalled.message, /300 ms/);
    const abort = new AbortController();
    setTimeout(() => abort.abort(new Error('the caller gave up')), 150);
    const started = performance.now();
    const aborted = await send(endpointOf(peer, { responseTimeoutMs: 5000 }), { method: 'GET', signal: abort.signal });
    assert.equal(aborted.kind, 'failure', `expected a failure, got ${JSON.stringify(aborted)}`);
    assert.ok(performance.now() - started < 2000, 'the abort ended the read, not the 5 s timeout');
  });

  it('fails a request its caller aborts while it waits for the pool, or aborted before it is sent, without sending it or losing the connection', async () => {
    const single = createOutboundClient({ mode: mutual(world), destinations: testDestinations(), connectionsPerEndpoint: 1 });
    after(() => single.close());
    // The first request holds the pool's only connection for 600 ms, then is answered normally.
    const peer = await goodPeer(world, { reply: () => ({ status: 200, body: 'slow', delayMs: 600 }) });
    const call = (signal?: AbortSignal): Promise<OutboundResult> =>
      single.send(
        { env: 'test', endpoints: { key: 'single', primary: endpointOf(peer, { responseTimeoutMs: 5000 }) }, trust: world.trust },
        { method: 'GET', ...(signal ? { signal } : {}) },
      );
    const first = call();
    const waiting = new AbortController();
    const started = performance.now();
    const second = call(waiting.signal);
    setTimeout(() => waiting.abort(new Error('the caller gave up waiting')), 150);
    const queued = await second;
    assert.equal(queued.kind, 'failure', `expected a failure, got ${JSON.stringify(queued)}`);
    assert.match(queued.kind === 'failure' ? queued.message : '', /the caller gave up waiting/);
    assert.ok(performance.now() - started < 500, 'the abort ended the wait, not the first request');
    const already = await call(AbortSignal.abort(new Error('aborted before the call')));
    assert.equal(already.kind, 'failure', `expected a failure, got ${JSON.stringify(already)}`);
    assert.equal((await first).kind, 'response');
    // The dropped request is never sent, and the connection it would have used stays in the pool.
    const third = await call();
    assert.equal(third.kind, 'response');
    assert.equal(peer.requests.length, 2, 'the first and the third request reached the peer');
    assert.equal(single.stats().connectionsOpened, 1, 'one connection for all of it');
  });

  it('in plain mode presents no client certificate, even to a server that asks for one', async () => {
    const plain = createOutboundClient({ mode: { kind: 'plain' }, destinations: testDestinations() });
    after(() => plain.close());
    assert.equal(plain.mode, 'plain');
    const asking = await goodPeer(world, { rejectUnauthorized: false });
    const result = await plain.send(
      { env: 'test', endpoints: { key: 'plain', primary: endpointOf(asking) }, trust: world.trust },
      { method: 'POST', body: 'x' },
    );
    assert.equal(result.kind === 'response' && result.status, 200);
    assert.equal(asking.requests[0]?.clientCertificatePem, undefined, 'the peer asked and saw none');
    const requiring = await goodPeer(world);
    assertFailure(
      await plain.send({ env: 'test', endpoints: { key: 'plain-2', primary: endpointOf(requiring) }, trust: world.trust }, { method: 'GET' }),
      'tls',
      'client_certificate_rejected',
    );
  });

  it('opens no connection to an address the destination policy refuses, whatever its spelling', async () => {
    const strict = createOutboundClient({ mode: mutual(world), destinations: createDestinationPolicy({ allowCidrs: [] }) });
    after(() => strict.close());
    const peer = await goodPeer(world);
    for (const ip of ['127.0.0.1', '::ffff:127.0.0.1']) {
      const result = assertFailure(
        await strict.send({ env: 'test', endpoints: { key: `strict-${ip}`, primary: endpointOf(peer, { ip }) }, trust: world.trust }, { method: 'GET' }),
        'unreachable',
        'destination_forbidden',
      );
      assert.match(result.message, /Varco connects only to public addresses/);
    }
    assert.equal(peer.secureConnections, 0);
    assert.equal(strict.stats().connectionsOpened, 0);
  });

  it('presents the new client certificate as soon as the environment hands out another identity', async () => {
    const next = await makeLeaf({ issuer: world.platformCa, commonName: 'client-2.varco.test', usage: 'client' });
    let identity: ClientIdentity = world.identity;
    const rotating = createOutboundClient({ mode: { kind: 'mutual', identity: () => identity }, destinations: testDestinations() });
    after(() => rotating.close());
    const peer = await goodPeer(world);
    const endpoints = { key: 'rotating', primary: endpointOf(peer) };
    await rotating.send({ env: 'test', endpoints, trust: world.trust }, { method: 'GET' });
    identity = { certChainPem: next.certPem + world.platformCa.certPem, keyPem: next.keyPem };
    await rotating.send({ env: 'test', endpoints, trust: world.trust }, { method: 'GET' });
    const { X509Certificate } = await import('node:crypto');
    const names = peer.requests.map((request) => new X509Certificate(request.clientCertificatePem!).subject.match(/CN=([^\n]+)/)?.[1]);
    assert.deepEqual(names, ['client.varco.test', 'client-2.varco.test']);
    assert.equal(rotating.stats().connectionsOpened, 2);
  });
});

// A merchant whose feedback or template URLs name a new host per order (wildcard DNS: o123.shop.test)
// made the client keep one pool per host name for the life of the process: memory without bound.
describe('outbound pools are bounded', () => {
  let world: World;
  before(async () => {
    world = await makeWorld();
  });
  const waitFor = async (done: () => boolean, what: string): Promise<void> => {
    const deadline = performance.now() + 3000;
    while (!done() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.ok(done(), what);
  };
  /** A peer answering for every name under shop.test, as wildcard DNS and a wildcard certificate do. */
  const wildcardPeer = async (reply?: PeerOptions['reply']) =>
    goodPeer(world, {
      leaf: await makeLeaf({ issuer: world.orgIntermediate, commonName: '*.shop.test', altNames: ['*.shop.test'] }),
      ...(reply ? { reply } : {}),
    });
  /** Calls `https://<host>.shop.test/…` as the feedback sender and the template fetcher do: one endpoint set per host. */
  const callHost = (client: OutboundClient, peer: Peer, host: string, delayed = false): Promise<OutboundResult> =>
    client.send(
      {
        env: 'test',
        endpoints: {
          key: `feedback:org:${host}.shop.test:${peer.host}:${peer.port}`,
          primary: endpointOf(peer, { url: peer.url(delayed ? '/slow' : '/', `${host}.shop.test`) }),
        },
        trust: world.trust,
      },
      { method: 'GET' },
    );
  const open = (peer: Peer): number => peer.secureConnections - peer.closedConnections;

  it('requests to many host names leave at most the cap of pools, the least recently used closed first, a busy origin kept', async () => {
    const client = createOutboundClient({ mode: mutual(world), destinations: testDestinations(), maxPools: 4 });
    after(() => client.close());
    const peer = await wildcardPeer();
    const busy = await goodPeer(world);
    const busyCall = () => client.send({ env: 'test', endpoints: { key: 'busy', primary: endpointOf(busy) }, trust: world.trust }, { method: 'GET' });
    for (let order = 1; order <= 30; order++) {
      assert.equal((await callHost(client, peer, `o${order}`)).kind, 'response');
      assert.equal((await busyCall()).kind, 'response');
      assert.ok(client.stats().pools <= 4, `${client.stats().pools} pools after ${order} host names`);
    }
    assert.equal(peer.requests.length, 30);
    // The pools let go closed their connections: at most the 3 kept for shop.test names remain open.
    await waitFor(() => open(peer) <= 3, `${open(peer)} connections still open to shop.test`);
    assert.equal(busy.secureConnections, 1, 'the origin called between every other one kept its pool and its connection');
  });

  it('closes a pool after its idle time, and a pool with a request in flight is not closed under it', async () => {
    const client = createOutboundClient({ mode: mutual(world), destinations: testDestinations(), poolIdleMs: 150, maxPools: 1 });
    after(() => client.close());
    const peer = await wildcardPeer((request) => ({ status: 200, body: request.url, ...(request.url === '/slow' ? { delayMs: 700 } : {}) }));
    assert.equal((await callHost(client, peer, 'idle')).kind, 'response');
    assert.equal(client.stats().pools, 1);
    // The keep-alive timeout (10 s) is far off: the connection closes because the pool was closed.
    await waitFor(() => client.stats().pools === 0 && open(peer) === 0, 'the idle pool and its connection were closed');

    // Longer than the idle time, and displaced from the registry (cap 1) by another host meanwhile.
    const slow = callHost(client, peer, 'slow', true);
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(client.stats().pools, 1, 'a pool in use is not idle');
    assert.equal((await callHost(client, peer, 'other')).kind, 'response');
    const answer = await slow;
    assert.equal(answer.kind === 'response' && answer.body, '/slow', JSON.stringify(answer));
    await waitFor(() => client.stats().pools === 0 && open(peer) === 0, 'every pool closed once idle');
  });

  it('a secondary let go while its call still waits on the primary is not closed before the call fails over to it', async () => {
    const client = createOutboundClient({ mode: mutual(world), destinations: testDestinations(), maxPools: 2 });
    after(() => client.close());
    const peer = await wildcardPeer();
    const silent = await startSilentPeer();
    const secondary = await goodPeer(world);
    const endpoints = {
      key: 'station',
      // A primary whose TLS handshake never completes: the call fails over after 500 ms.
      primary: { url: `https://localhost:${silent.port}/service`, ip: silent.host, port: silent.port, connectTimeoutMs: 500, responseTimeoutMs: 500 },
      secondary: endpointOf(secondary),
    };
    const call = client.send({ env: 'test', endpoints, trust: world.trust }, { method: 'GET' });
    // Meanwhile two other origins take both places (cap 2): the station's pools are let go.
    for (const host of ['a', 'b']) assert.equal((await callHost(client, peer, host)).kind, 'response');
    const answer = await call;
    assert.equal(answer.kind === 'response' && answer.endpoint, 'secondary', JSON.stringify(answer));
    assert.equal(secondary.requests.length, 1);
    await waitFor(() => open(secondary) === 0, 'the secondary\u2019s pool closed once the call was over');
  });
});
