import { createInterface } from 'node:readline';
import { readFile } from 'node:fs/promises';

/** Reads a secret from a file (first line), or asks for it on the terminal without echo. */
export async function readSecret(question: string, file: string | undefined): Promise<string> {
  if (file) return (await readFile(file, 'utf8')).split(/\r?\n/)[0] ?? '';
  const input = process.stdin;
  if (!input.isTTY) {
    const text = await new Promise<string>((resolve) => {
      let data = '';
      input.setEncoding('utf8');
      input.on('data', (chunk: string) => { data += chunk; });
      input.on('end', () => resolve(data));
    });
    return text.split(/\r?\n/)[0] ?? '';
  }
  const rl = createInterface({ input, output: process.stderr, terminal: true });
  // Mute the echo: readline writes typed characters through _writeToOutput.
  const muted = rl as unknown as { _writeToOutput: (s: string) => void };
  process.stderr.write(question);
  muted._writeToOutput = () => undefined;
  const answer = await new Promise<string>((resolve) => rl.question('', resolve));
  rl.close();
  process.stderr.write('\n');
  return answer;
}
