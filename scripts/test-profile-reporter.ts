// The reporter of scripts/test-profile.ts: the summary's counts plus when the file's first top-level
// test started and its last one ended (epoch ms), so the profile can tell set-up and tear-down time
// (module loading, servers, browsers; after() hooks) from the tests' own.
import type { TestEvent } from 'node:test/reporters';

export default async function* profile(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  let passed = 0;
  let failed = 0;
  let firstStart: number | undefined;
  let lastEnd: number | undefined;
  for await (const event of source) {
    // test:dequeue and test:complete arrive as they happen (test:start and test:pass are replayed later,
    // in order); the file itself is reported as a test named after it.
    const data = event.data as { nesting?: number; name?: string; file?: string };
    const topLevel = data.nesting === 0 && !(data.file !== undefined && data.name !== undefined && data.file.endsWith(data.name));
    if (event.type === 'test:dequeue' && topLevel) firstStart ??= Date.now();
    if (event.type === 'test:complete' && topLevel) lastEnd = Date.now();
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    if ((event.data.details as { type?: string }).type === 'suite') continue;
    if (event.type === 'test:fail') failed++;
    else passed++;
  }
  yield `${JSON.stringify({ passed, failed, firstStart, lastEnd })}\n`;
}
