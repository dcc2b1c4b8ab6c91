import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createLogger } from '../../app/logger.ts';
import fc from 'fast-check';
import { AccessLogController, lazyRequestLogger, quote } from './request-log.ts';

// The access line of a successful request is built directly (issue 15): it must be the line pino
// would have written for the same request, byte for byte apart from the time, and obey the level.

function app(level: string): { app: FastifyInstance; lines: string[]; logger: ReturnType<typeof createLogger>; requests: FastifyRequest[] } {
  const requests: FastifyRequest[] = [];
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger(level, sink);
  let n = 0;
  const server = Fastify({
    loggerInstance: logger,
    logController: new AccessLogController(logger),
    childLoggerFactory: lazyRequestLogger,
    genReqId: () => `req_${++n}"q`,
  }) as unknown as FastifyInstance;
  server.addHook('onRequest', (request, _reply, done) => {
    requests.push(request);
    done();
  });
  server.get('/ok/*', async () => ({ ok: true }));
  server.get('/logs', async (request) => {
    request.log.warn({ token: 'SECRET-IN-OBJECT', detail: 'x' }, 'handler says');
    request.log.info('plain message %s', 'formatted');
    return { ok: true };
  });
  server.get('/fails', async () => {
    throw new Error('boom');
  });
  return { app: server, lines, logger, requests };
}

/** What pino itself writes for the access line of `request`, through a child bound to its id. */
function pinoLine(logger: ReturnType<typeof createLogger>, fields: Record<string, unknown>): string {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8').trim());
      done();
    },
  });
  const twin = createLogger(logger.level, sink);
  twin.child({ reqId: fields.reqId }).info({ req: fields.req, res: fields.res, responseTime: fields.responseTime }, 'request completed');
  return lines[0] ?? '';
}

const withoutTime = (line: string): string => line.replace(/,"time":"[^"]*"/, '');

test('the access line is the line pino writes for the request (escaping, censored query, card numbers masked)', async () => {
  const { app: server, lines, logger, requests } = app('info');
  const url = '/ok/caf%C3%A8"%5C?subscription-key=SECRET-KEY&note=a"b\\c&card=4111111111111111&é=ü';
  const response = await server.inject({ method: 'GET', url, remoteAddress: '203.0.113.7' });
  assert.equal(response.statusCode, 200);
  const line = lines.find((l) => l.includes('request completed'));
  assert.ok(line, 'an access line was written');
  const parsed = JSON.parse(line) as { reqId: string; req: unknown; res: unknown; responseTime: number; time: string };
  assert.match(parsed.time, /^\d{4}-\d\d-\d\dT/);
  assert.equal(parsed.reqId, 'req_1"q');
  const expected = pinoLine(logger, { reqId: parsed.reqId, req: requests[0], res: { statusCode: 200 }, responseTime: parsed.responseTime });
  assert.equal(withoutTime(line), withoutTime(expected));
  assert.match(line, /"remoteAddress":"203\.0\.113\.7"/);
  assert.equal(line.includes('SECRET-KEY'), false);
  assert.equal(line.includes('4111111111111111'), false);
  await server.close();
});

test('below info no access line is written; a request that fails still logs its error line through pino', async () => {
  const quiet = app('warn');
  assert.equal((await quiet.app.inject({ method: 'GET', url: '/ok/x' })).statusCode, 200);
  assert.equal((await quiet.app.inject({ method: 'GET', url: '/fails' })).statusCode, 500);
  assert.equal(
    quiet.lines.some((l) => l.includes('request completed')),
    false,
  );
  const failed = quiet.lines.map((l) => JSON.parse(l) as { msg: string; reqId?: string; err?: { message: string } });
  assert.ok(failed.some((l) => l.reqId === 'req_2"q' && l.err?.message === 'boom'));
  await quiet.app.close();
});

test('request.log is made on first use, bound to the request id, and still censors secrets', async () => {
  const { app: server, lines } = app('info');
  assert.equal((await server.inject({ method: 'GET', url: '/logs' })).statusCode, 200);
  const parsed = lines.map((l) => JSON.parse(l) as { msg: string; reqId?: string; token?: string; level: number });
  const said = parsed.find((l) => l.msg === 'handler says');
  assert.equal(said?.reqId, 'req_1"q');
  assert.equal(said?.level, 40);
  assert.equal(said?.token, '[redacted]');
  assert.ok(parsed.some((l) => l.msg === 'plain message formatted' && l.reqId === 'req_1"q'));
  assert.ok(parsed.some((l) => l.msg === 'request completed' && l.reqId === 'req_1"q'));
  assert.equal(lines.join('\n').includes('SECRET-IN-OBJECT'), false);
  await server.close();
});

test('quote writes what JSON.stringify writes for any string', () => {
  // Full Unicode (pairs and lone surrogates), control characters, quotes and backslashes.
  const text = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: fc.constantFrom('a', '"', '\\', '\n', '\u0000', '\u007f', 'é', '\ud83d', '\ude00') }));
  fc.assert(
    fc.property(text, (value) => assert.equal(quote(value), JSON.stringify(value))),
    { numRuns: 5000 },
  );
});
