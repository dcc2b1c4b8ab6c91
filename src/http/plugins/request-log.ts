import { LogController } from 'fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';

// One access-log line per request, written when the answer has gone out: method, path (sensitive
// query parameters censored by the logger's `req` serializer), status and duration, under the
// request's id. Fastify's default writes two lines per request (incoming, completed); on a busy API
// each line cost a few percent of the CPU (issue 6 benchmark, docs/benchmarks.md) and the first one
// told nothing the combined line does not. Fastify's other lines (errors, 404s) are kept.
export class AccessLogController extends LogController {
  override incomingRequest(): void {
    // Folded into requestCompleted.
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = { req: request, res: { statusCode: reply.statusCode }, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}
