import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {}

export type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs with a usage error instead of a stack trace on unknown or malformed options. */
export function parse(args: string[], options: Options): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args, options: { json: { type: 'boolean' }, ...options }, allowPositionals: true, strict: true });
    return { values: values as Record<string, string | boolean | undefined>, positionals };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function required(values: Record<string, string | boolean | undefined>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${name} is required`);
  return v;
}

/** Prints JSON with --json, otherwise the human text, on the command's stdout (the process's, or a test's). */
export function output(to: { stdout: NodeJS.WritableStream }, json: boolean, data: unknown, text: string): void {
  to.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : `${text}\n`);
}

/** A single-use link just made (invitation, password reset): printed once, never stored. */
export function outputLink(to: { stdout: NodeJS.WritableStream }, json: boolean, minted: { id: string; email: string; link: string }): void {
  output(to, json, minted, `Link for ${minted.email} (works once; a newer link replaces it):\n${minted.link}`);
}
