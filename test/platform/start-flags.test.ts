import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

// Issue 15 (memory under load): V8 grows the young generation to 128 MB under load and keeps it, so a
// busy server sat at ~290 MB. Every way the server and the worker are started bounds it with
// --max-semi-space-size=16 (~215 MB under the same load, no measurable CPU cost: docs/benchmarks.md).
// A start command that drops the flag brings the old figure back without any test of behaviour noticing.

const root = join(import.meta.dirname, '..', '..');
const FLAG = '--max-semi-space-size=16';
const read = (file: string): Promise<string> => readFile(join(root, file), 'utf8');

test('npm start, the Dockerfile and the compose worker start Node.js with the young generation bounded', async () => {
  const start = (JSON.parse(await read('package.json')) as { scripts: Record<string, string> }).scripts.start ?? '';
  assert.match(start, new RegExp(`^node ${FLAG} src/main/server\\.js$`));
  assert.match(await read('Dockerfile'), new RegExp(`^CMD \\["node", "${FLAG}", "src/main/server\\.js"\\]$`, 'm'));
  assert.ok((await read('deploy/compose.yaml')).includes(`command: ['node', '${FLAG}', 'src/main/worker.js']`));
});
