import { resolve } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { loadConfig } from '../../src/config/index.ts';
import { cliContext, cliLogLevel, main, type CliIo } from '../../src/main/cli.ts';
import { TEST_OUTBOUND_ENV, TEST_FOUR_EYES_ENV } from './outbound.ts';
import type { CliResult } from './server-process.ts';

// `npx varco <args>` in the test's own process: the dispatcher of src/main/cli.ts with the
// configuration built from the given settings alone (never process.env), the database opened the
// way the real command opens it (migrated, 'share' mode), and stdout/stderr captured. Each call
// closes what it opened (main closes the context), so a file may call it as often as it likes.
// What only a real process shows (exit on a signal, a terminal prompt, the binary's exit code) is
// for runCli in server-process.ts.

const root = resolve(import.meta.dirname, '../..');

function sink(append: (text: string) => void): Writable {
  return new Writable({
    decodeStrings: false,
    write(chunk: unknown, _encoding, done) {
      append(String(chunk));
      done();
    },
  });
}

/** Like runCli: only the given Varco settings (plus the suite's loopback allowance) configure it; stdin is empty, as with runCli. */
export async function runCliInProcess(args: string[], env: Record<string, string>): Promise<CliResult> {
  const result: CliResult = { code: null, stdout: '', stderr: '' };
  const streams = {
    stdout: sink((text) => {
      result.stdout += text;
    }),
    stderr: sink((text) => {
      result.stderr += text;
    }),
    stdin: Readable.from([]),
  };
  const settings: Record<string, string> = { ...TEST_OUTBOUND_ENV, ...TEST_FOUR_EYES_ENV, ...env };
  const io: CliIo = {
    stdout: streams.stdout,
    stderr: streams.stderr,
    // The same working directory runCli gives the child, for relative paths in the settings.
    context: () => cliContext(loadConfig(settings, root), streams, cliLogLevel(settings)),
  };
  result.code = await main(args, io);
  return result;
}
