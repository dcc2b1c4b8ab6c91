import { createInterface } from 'node:readline';
import { readFile } from 'node:fs/promises';
import { UsageError } from './args.ts';
import type { CliStreams } from './context.ts';

const UNREADABLE: Record<string, string> = { ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'it is a directory' };

/** The first line of a secret file given as `--<option>`; a file that cannot be read is a usage error naming both. */
export async function readSecretFile(file: string, option: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).split(/\r?\n/)[0] ?? '';
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    throw new UsageError(`cannot read the file given as --${option} (${file}): ${(code && UNREADABLE[code]) ?? message}`);
  }
}

/** Reads a secret from a file (first line) given as `--<option>`, or asks for it on the command's terminal without echo. */
export async function readSecret(
  io: Pick<CliStreams, 'stdin' | 'stderr'>,
  question: string,
  file: { path: string | undefined; option: string },
): Promise<string> {
  if (file.path) return readSecretFile(file.path, file.option);
  const input = io.stdin;
  if (!input.isTTY) {
    const text = await new Promise<string>((resolve) => {
      let data = '';
      input.setEncoding('utf8');
      input.on('data', (chunk: string) => {
        data += chunk;
      });
      input.on('end', () => resolve(data));
    });
    return text.split(/\r?\n/)[0] ?? '';
  }
  const rl = createInterface({ input, output: io.stderr, terminal: true });
  // Mute the echo: readline writes typed characters through _writeToOutput.
  const muted = rl as unknown as { _writeToOutput: (s: string) => void };
  io.stderr.write(question);
  muted._writeToOutput = () => undefined;
  const answer = await new Promise<string>((resolve) => rl.question('', resolve));
  rl.close();
  io.stderr.write('\n');
  return answer;
}
