import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { ERROR_CODES } from './errors.ts';

test('docs/errors.md lists every error code with its HTTP status, and nothing else', async () => {
  const doc = await readFile(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const documented = new Map([...doc.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])]));
  for (const [code, { status }] of Object.entries(ERROR_CODES)) {
    assert.equal(documented.get(code), status, `docs/errors.md: ${code} should be listed with status ${status}`);
  }
  assert.deepEqual([...documented.keys()].sort(), Object.keys(ERROR_CODES).sort());
});
