// A node:test reporter that writes the totals, for the closing summary line of `npm test`, and how
// long each file took (from its process's start to its exit, or in a long-lived host from its import to its
// last hook), which the next run uses to start the slowest files first (scripts/test-order.ts).
import type { TestEvent } from 'node:test/reporters';

export default async function* summary(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  let failedInFile = 0;
  const files: Record<string, number> = {};
  for await (const event of source) {
    // A file's own completion: the runner reports it as a test named after the file.
    if (event.type === 'test:complete' && event.data.file !== undefined && event.data.file.endsWith(event.data.name)) {
      files[event.data.name] = Math.round(event.data.details.duration_ms);
      continue;
    }
    // A file run by a long-lived host (scripts/test-host.ts) is a top-level test named after the file.
    const hostedFile =
      (event.type === 'test:complete' || event.type === 'test:pass' || event.type === 'test:fail') &&
      event.data.nesting === 0 &&
      /\.test\.ts$/.test(event.data.name);
    if (hostedFile && event.type === 'test:complete') {
      files[event.data.name] = Math.round(event.data.details.duration_ms);
      continue;
    }
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    // The file's own test fails with its tests (counted there), or alone when the file could not load or
    // a top-level hook failed: then it counts once.
    if (hostedFile) {
      if (event.type === 'test:fail' && failedInFile === 0) failed++;
      failedInFile = 0;
      continue;
    }
    // Count leaf tests only; suites report their own pass/fail too.
    if ((event.data.details as { type?: string }).type === 'suite') continue;
    if (event.type === 'test:fail') {
      failed++;
      failedInFile++;
    } else if (event.data.skip !== undefined || event.data.todo !== undefined) skipped++;
    else passed++;
  }
  yield JSON.stringify({ passed, failed, skipped, files });
}
