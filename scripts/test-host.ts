// A long-lived test process (docs/testing.md, "How the runner works"): it asks `npm test` for one
// integration test file at a time over IPC and imports it inside a test named after the file, so the
// file's tests and its top-level hooks (`before`, `after`) belong to that test and finish before the
// next file starts. The application's module graph is loaded once per host instead of once per file
// (~1 s of CPU each). `npm test -- --process-per-file` runs every file in a process of its own instead.
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

type Ask = { want: 'file' };
type Answer = { file: string | null };

function nextFile(): Promise<string | null> {
  return new Promise((done) => {
    const answer = (message: Answer): void => {
      process.off('message', answer);
      done(message.file);
    };
    process.on('message', answer);
    process.send?.({ want: 'file' } satisfies Ask);
  });
}

if (!process.send) throw new Error('scripts/test-host.ts is started by scripts/test.ts, with an IPC channel');

const root = resolve(import.meta.dirname, '..');
const environment = { ...process.env };

// A file's own tests time out after 180 s each (--test-timeout, set by scripts/test.ts), but not its
// top-level code (a seed, a server's start) awaited before them: a file still running after 10 minutes
// fails as a whole (the slowest take ~2 minutes on a saturated machine) and the host goes on with the
// next one. What the file left running then keeps the host alive past its last file, which the check
// at the end reports: a hang costs the run minutes, not CI's 90-minute limit.
// VARCO_TEST_FILE_TIMEOUT_S changes it (to see the limit work: a file that never ends, a few seconds).
const fileTimeoutSeconds = Number(process.env.VARCO_TEST_FILE_TIMEOUT_S ?? 600);
if (!Number.isFinite(fileTimeoutSeconds) || fileTimeoutSeconds <= 0)
  throw new Error(`VARCO_TEST_FILE_TIMEOUT_S must be a number of seconds above 0, not "${process.env.VARCO_TEST_FILE_TIMEOUT_S}"`);
const FILE_TIMEOUT_MS = fileTimeoutSeconds * 1000;

for (let file = await nextFile(); file !== null; file = await nextFile()) {
  const url = pathToFileURL(resolve(root, file)).href;
  await test(file, { timeout: FILE_TIMEOUT_MS }, async () => {
    await import(url);
  });
  // A file that changed the environment does not hand the change on to the next one.
  for (const name of Object.keys(process.env)) if (!(name in environment)) Reflect.deleteProperty(process.env, name);
  Object.assign(process.env, environment);
}
process.disconnect();
// Every file has ended: a child process still running (a server a failing test never stopped) would keep
// this process alive, and the report's failures and totals, printed only when it ends, would be lost. Stop
// them and say so; the run still fails on the test that left it.
const leftChildren = (() => {
  try {
    return readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number)
      .filter((pid) => pid > 0);
  } catch {
    return [];
  }
})();
for (const pid of leftChildren) {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Gone meanwhile.
  }
}
if (leftChildren.length > 0)
  process.stderr.write(`test host: stopped ${leftChildren.length} child process(es) a test file left running (pids ${leftChildren.join(', ')})\n`);
// Every file has ended. Something a file left open (a server, a timer) would keep this process, and
// the run, waiting for ever: say so and leave.
setTimeout(() => {
  const open = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap');
  process.stderr.write(
    `test host: something a test file left open keeps this process alive 10 s after its last file (${open.join(', ')}); ` +
      'its results above stand, its totals are lost: find the file with npm test -- --process-per-file\n',
  );
  process.exit(1);
}, 10_000).unref();
