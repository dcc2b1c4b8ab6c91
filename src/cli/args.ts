import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A mistake in how the command was called: one line, exit 64; `help` adds where its options are listed (`--help`). */
export class UsageError extends Error {
  readonly help: boolean;
  constructor(message: string, options: { help?: boolean } = {}) {
    super(message);
    this.help = options.help === true;
  }
}

export type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * parseArgs with a usage error instead of a stack trace on unknown or malformed options, and on an
 * argument the command does not take: a command takes `positionals` of them (none unless it says so;
 * 'any' for a list), so a stray word (`outbox resend dry-run`, the `--` forgotten) is refused, never ignored.
 */
export function parse(
  args: string[],
  options: Options,
  takes: { positionals: number | 'any' } = { positionals: 0 },
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  const all: Options = { json: { type: 'boolean' }, ...options };
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    const { values, positionals } = parseArgs({ args, options: all, allowPositionals: true, strict: true });
    parsed = { values: values as Record<string, string | boolean | undefined>, positionals };
  } catch (error) {
    // Node's wording ("Unknown option '--x'. To specify a positional argument …") shortened to what was wrong.
    const unknown = /^Unknown option '([^']+)'/.exec((error as Error).message)?.[1];
    throw new UsageError(unknown ? `unknown option ${unknown}` : (error as Error).message, { help: true });
  }
  const stray = takes.positionals === 'any' ? undefined : parsed.positionals[takes.positionals];
  if (stray !== undefined) {
    const meant = Object.hasOwn(all, stray) ? ` (did you mean --${stray}?)` : '';
    throw new UsageError(`unexpected argument '${stray}'${meant}; nothing was done`, { help: true });
  }
  return parsed;
}

export function required(values: Record<string, string | boolean | undefined>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${name} is required`, { help: true });
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
