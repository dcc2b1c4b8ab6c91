import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FastifyError } from 'fastify';
import { VarcoError } from '../../kernel/errors.ts';
import { statusOfError } from './responses.ts';

// The payment page's error status: what the client sent is its 4xx, the instance stopping or its
// database away a 503 (the customer may retry), only Varco's own bugs a 500.

const fastifyError = (props: Partial<FastifyError>): FastifyError => Object.assign(new Error('x'), props) as FastifyError;

test('a stopping instance (503 unavailable) and an unreachable database are 503; a 4xx stays; anything else is 500', () => {
  assert.equal(statusOfError(new VarcoError('unavailable', 'This instance is stopping.') as unknown as FastifyError), 503);
  assert.equal(statusOfError(fastifyError({ code: 'ECONNREFUSED' })), 503);
  assert.equal(statusOfError(fastifyError({ message: 'Connection terminated unexpectedly' })), 503);
  assert.equal(statusOfError(new VarcoError('bad_request', 'NUL') as unknown as FastifyError), 400);
  assert.equal(statusOfError(fastifyError({ statusCode: 413 })), 413);
  assert.equal(statusOfError(new VarcoError('internal_error', 'bug') as unknown as FastifyError), 500);
  assert.equal(statusOfError(fastifyError({ message: 'TypeError in a handler' })), 500);
});
