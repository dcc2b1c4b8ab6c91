// The static checks of `npm test`: type check, lint and format check. They run in the background,
// beside the test files rather than before them (they need no database, and the test files spend
// most of their time waiting on timers, sockets and child processes), so they cost the run little
// wall-clock time. Each is incremental through a cache under .test-data/cache; a fresh clone (CI)
// starts without one and checks everything.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface CheckResult {
  name: string;
  ok: boolean;
  output: string;
}

/** One check in a child process; its output is kept for when it ends. */
function check(root: string, name: string, command: string, commandArgs: string[]): Promise<CheckResult> {
  return new Promise((done) => {
    const child = spawn(command, commandArgs, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', (error) => done({ name, ok: false, output: String(error) }));
    child.on('exit', (status) => done({ name, ok: status === 0, output }));
  });
}

/**
 * Starts the three checks at once. The caches only skip files whose content (and the tool's
 * configuration) is unchanged since they last passed: tsc's build info, ESLint's and Prettier's
 * content caches. No lint rule here reads another file (no type-aware rules), so a cached file's
 * verdict cannot be changed by an edit elsewhere.
 */
export function startChecks(root: string, cache: string): Array<Promise<CheckResult>> {
  const bin = (name: string): string => join(root, 'node_modules/.bin', name);
  return [
    check(root, 'type check (tsc --noEmit)', bin('tsc'), ['--noEmit', '-p', root, '--incremental', '--tsBuildInfoFile', join(cache, 'tsbuildinfo')]),
    check(root, 'lint (eslint)', bin('eslint'), ['--max-warnings=0', '--cache', '--cache-strategy', 'content', '--cache-location', join(cache, 'eslint'), '.']),
    check(root, 'format check (prettier --check; fix with npm run format)', bin('prettier'), [
      '--check',
      '--log-level=warn',
      '--cache',
      '--cache-location',
      join(cache, 'prettier'),
      '**/*.{ts,js,mjs,json}',
    ]),
  ];
}
