import { createInterface } from 'node:readline';
import { readFile } from 'node:fs/promises';
import type { CliStreams } from './context.ts';

/** The first line of a secret file. */
export async function readSecretFile(file: string): Promise<string> {
  return (await readFile(file, 'utf8')).split(/\r?\n/)[0] ?? '';
}

/** Reads a secret from a file (first line), or asks for it on the command's terminal without echo. */
export async function readSecret(io: Pick<CliStreams, 'stdin' | 'stderr'>, question: string, file: string | undefined): Promise<string> {
  if (file) return readSecretFile(file);
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
