import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sinceOf } from './outbox.commands.ts';

test('--since without a zone is UTC, as a date alone is, whatever the machine\u2019s zone', () => {
  const zone = process.env.TZ;
  process.env.TZ = 'Europe/Rome';
  try {
    assert.equal(sinceOf('2026-12-04T08:00').toISOString(), '2026-12-04T08:00:00.000Z');
    assert.equal(sinceOf('2026-12-04T08:00:30.5').toISOString(), '2026-12-04T08:00:30.500Z');
    assert.equal(sinceOf('2026-12-04').toISOString(), '2026-12-04T00:00:00.000Z');
    assert.equal(sinceOf('2026-12-04T08:00+01:00').toISOString(), '2026-12-04T07:00:00.000Z', 'a zone given is kept');
  } finally {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  }
  assert.throws(() => sinceOf('yesterday'), /--since must be an ISO 8601 date/);
});
