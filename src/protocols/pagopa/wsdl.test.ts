// The WSDL Varco serves, consumed by an independent SOAP implementation (the npm `soap` client):
// the requests it builds decode with Varco's decoder, and it reads Varco's encoded responses.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createClientAsync, type Client } from 'soap';
import {
  decodePspRequest,
  encodeKo,
  encodeRequestBody,
  encodeResponse,
  encodeResponseBody,
  nodeFault,
  PSP_OPERATIONS,
  type DecodedRequest,
  type PspOperation,
} from './index.ts';
import { generateSchema, nodeForPspWsdl } from './wsdl.ts';
import { requestSamples, responseSamples, type RequestSample } from '../../../test/support/pagopa-samples.ts';
import { validateAgainstSchema } from '../../../test/support/pagopa-xsd.ts';

const AMOUNTS = new Set(['amount', 'totalAmount', 'transferAmount', 'fee', 'paymentAmount', 'primaryCiIncurredFee', 'suggestedUserFee', 'suggestedPaFee']);
const isPsp = (op: string): op is PspOperation => (PSP_OPERATIONS as readonly string[]).includes(op);
const pspRequests = requestSamples.filter((s) => isPsp(s.operation));
const pspResponses = responseSamples.filter((s) => isPsp(s.operation));

/** A sample value in the shape a soap client takes (amounts as decimal text, e-mail by its XML name). */
function toSoap(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => toSoap(v, key));
  if (typeof value === 'number' && AMOUNTS.has(key)) return (value / 100).toFixed(2);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k === 'email' ? 'e-mail' : k, toSoap(v, k)]));
}

/** Compares what the soap client parsed with the sample, scalars by their text. */
function assertSoapMatches(expected: unknown, actual: unknown, path: string): void {
  if (Array.isArray(expected)) {
    const list = Array.isArray(actual) ? actual : [actual];
    assert.equal(list.length, expected.length, `${path}: items`);
    expected.forEach((e, i) => assertSoapMatches(e, list[i], `${path}[${i}]`));
  } else if (typeof expected === 'object' && expected !== null) {
    assert.equal(typeof actual, 'object', path);
    const got = actual as Record<string, unknown>;
    assert.deepEqual(
      Object.keys(got)
        .filter((k) => k !== 'attributes')
        .sort(),
      Object.keys(expected).sort(),
      `${path}: fields`,
    );
    for (const [k, v] of Object.entries(expected)) assertSoapMatches(v, got[k], `${path}/${k}`);
  } else {
    assert.equal(String(actual), String(expected), path);
  }
}

interface Exchange {
  soapAction: string | undefined;
  decoded: DecodedRequest<'nodeForPsp'>;
}

/** A tiny HTTP server: serves the WSDL, decodes each SOAP request, answers with `reply`. */
function soapServer(): { server: Server; exchanges: Exchange[]; setReply(xml: string): void; wsdl(address: string): void } {
  const exchanges: Exchange[] = [];
  let reply = '';
  let wsdl = '';
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.setHeader('content-type', 'text/xml; charset=utf-8');
      if (req.method === 'GET' && req.url?.endsWith('?wsdl')) return void res.end(wsdl);
      const raw = req.headers.soapaction;
      const soapAction = Array.isArray(raw) ? raw.join(',') : raw;
      exchanges.push({ soapAction, decoded: decodePspRequest(Buffer.concat(chunks), soapAction) });
      res.end(reply);
    });
  });
  return {
    server,
    exchanges,
    setReply: (xml) => {
      reply = xml;
    },
    wsdl: (address) => {
      wsdl = nodeForPspWsdl(address);
    },
  };
}

type AsyncOperation = (args: unknown) => Promise<[unknown, ...unknown[]]>;
const call = (client: Client, op: string): AsyncOperation => (client as unknown as Record<string, AsyncOperation>)[`${op}Async`]!;

async function roundTrip(client: Client, peer: ReturnType<typeof soapServer>, s: RequestSample): Promise<unknown> {
  const before = peer.exchanges.length;
  const [result] = await call(client, s.operation)(toSoap(s.value));
  const seen = peer.exchanges[before]!;
  assert.equal(seen.soapAction?.replaceAll('"', ''), s.operation);
  assert.ok(seen.decoded.ok, seen.decoded.ok ? '' : seen.decoded.problem.description);
  assert.equal(seen.decoded.operation, s.operation);
  assert.deepEqual(seen.decoded.value, s.value);
  return result;
}

describe('WSDL served by Varco, consumed by the npm soap client', () => {
  const peer = soapServer();
  let address = '';
  let client: Client;

  before(async () => {
    await new Promise<void>((resolve) => peer.server.listen(0, '127.0.0.1', resolve));
    address = `http://127.0.0.1:${(peer.server.address() as { port: number }).port}/nodo/node-for-psp/v1`;
    peer.wsdl(address);
    client = await createClientAsync(`${address}?wsdl`);
  });
  after(() => new Promise<void>((resolve) => peer.server.close(() => resolve())));

  it('offers exactly the five operations, at the given address', () => {
    const ports = client.describe() as Record<string, Record<string, Record<string, unknown>>>;
    assert.deepEqual(Object.keys(ports), ['nodeForPspService']);
    assert.deepEqual(Object.keys(ports.nodeForPspService!.nodeForPspPort!).sort(), [...PSP_OPERATIONS].sort());
    assert.match(nodeForPspWsdl(address), new RegExp(`<soap:address location="${address}"/>`));
    assert.match(nodeForPspWsdl('https://x.example/a?b=1&c="2"'), /location="https:\/\/x\.example\/a\?b=1&amp;c=&quot;2&quot;"/);
  });

  for (const s of pspRequests) {
    it(`${s.name}: the client's request decodes to the same value; the client reads Varco's OK and KO`, async () => {
      const ok = pspResponses.find((r) => r.operation === s.operation && r.value.outcome === 'OK')!;
      peer.setReply(encodeResponse(ok.operation, ok.value as never));
      assertSoapMatches(toSoap(ok.value), await roundTrip(client, peer, s), ok.name);
      const fault = nodeFault('PPT_SINTASSI_XSD', 'x/y: <y> is missing');
      peer.setReply(encodeKo(s.operation, fault));
      assertSoapMatches({ outcome: 'KO', fault }, await roundTrip(client, peer, s), 'KO');
    });
  }

  it('every PSP response sample is read back by the soap client with the same values', async () => {
    const verify = pspRequests.find((s) => s.operation === 'verifyPaymentNotice')!;
    for (const r of pspResponses) {
      const request = pspRequests.find((s) => s.operation === r.operation) ?? verify;
      peer.setReply(encodeResponse(r.operation, r.value as never));
      assertSoapMatches(toSoap(r.value), await roundTrip(client, peer, request), r.name);
    }
  });
});

describe('the official nodeForPsp.wsdl, consumed by the soap client', () => {
  it('builds requests that Varco decodes, for each of the five operations', async () => {
    const peer = soapServer();
    await new Promise<void>((resolve) => peer.server.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = `http://127.0.0.1:${(peer.server.address() as { port: number }).port}/`;
      const wsdlPath = new URL('../../../test/fixtures/pagopa/xsd/wsdl/nodeForPsp.wsdl', import.meta.url).pathname;
      const official = await createClientAsync(wsdlPath, { endpoint });
      for (const s of pspRequests) {
        peer.setReply(encodeKo(s.operation, nodeFault('PPT_SYSTEM_ERROR')));
        await roundTrip(official, peer, s);
      }
    } finally {
      await new Promise<void>((resolve) => peer.server.close(() => resolve()));
    }
  });
});

describe('the generated inline schema', () => {
  it('accepts every PSP message Varco encodes, and rejects a broken one, as the official XSD does', async () => {
    const schema = generateSchema('nodeForPsp', PSP_OPERATIONS);
    const bodies = [
      ...pspRequests.map((s) => ({ name: s.name, xml: encodeRequestBody(s.operation, s.value as never) })),
      ...pspResponses.map((s) => ({ name: `${s.name} (response)`, xml: encodeResponseBody(s.operation, s.value as never) })),
    ];
    const errors = await validateAgainstSchema(bodies, schema);
    assert.deepEqual(
      [...errors].filter(([, e]) => e.length > 0),
      [],
    );
    const broken = bodies[1]!.xml.replace('<idPSP>AGID_01</idPSP>', '');
    const refused = await validateAgainstSchema([{ name: 'broken', xml: broken }], schema);
    assert.ok(refused.get('broken')!.length > 0);
  });
});
