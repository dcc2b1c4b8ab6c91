// A node:test reporter that writes only the totals, for the closing summary line of `npm test`.
import type { TestEvent } from 'node:test/reporters';

export default async function* summary(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    // Count leaf tests only; suites report their own pass/fail too.
    if ((event.data.details as { type?: string }).type === 'suite') continue;
    if (event.type === 'test:fail') failed++;
    else if (event.data.skip !== undefined || event.data.todo !== undefined) skipped++;
    else passed++;
  }
  yield JSON.stringify({ passed, failed, skipped });
}
