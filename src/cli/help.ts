// `varco --help`, `varco <group> --help`, `varco <command> --help` (and `-h`, `varco help …`): the usage
// lines the unknown-command error prints, narrowed to what was asked for. Pure: no configuration, no
// database, so help works where nothing is set up yet.

const HELP_FLAGS = ['--help', '-h'];

export type CommandSummaries = Record<string, { summary: string; options?: string[] }>;

export interface HelpAnswer {
  code: 0 | 64;
  stdout: string;
  stderr: string;
}

/** The usage text: a header for `command` (or any command) and one line per listed command. */
export function usage(commands: CommandSummaries, command = '<command>', names = Object.keys(commands)): string {
  const width = Math.max(...names.map((k) => k.length));
  return [`Usage: npx varco ${command} [options] [--json]`, '', ...names.map((name) => `  ${name.padEnd(width)}  ${commands[name]?.summary ?? ''}`)].join('\n');
}

/** The commands named `prefix` or under it (`psp` → `psp add`, `psp list`, …). */
function under(commands: CommandSummaries, prefix: string): string[] {
  return Object.keys(commands).filter((name) => name === prefix || name.startsWith(`${prefix} `));
}

/** The words before the first option: the command asked for, and its positionals. */
function wordsOf(argv: string[]): string[] {
  const firstOption = argv.findIndex((arg) => arg.startsWith('-'));
  return firstOption === -1 ? argv : argv.slice(0, firstOption);
}

/** The answer to a help request, or undefined when `argv` asks for none (before `--`, values never start with '-'). */
export function helpFor(argv: string[], commands: CommandSummaries): HelpAnswer | undefined {
  const end = argv.indexOf('--');
  const options = end === -1 ? argv : argv.slice(0, end);
  const viaWord = argv[0] === 'help';
  if (!viaWord && !options.some((arg) => HELP_FLAGS.includes(arg))) return undefined;
  const rest = viaWord ? argv.slice(1) : argv;
  const words = wordsOf(rest);
  if (words.length === 0) return { code: 0, stdout: `${usage(commands)}\n`, stderr: '' };
  // Resolved as the CLI runs commands: two words, then one; positionals may follow (`invite link ID --help`).
  const leaf = [words.slice(0, 2).join(' '), words[0] ?? ''].find((candidate) => candidate in commands);
  if (leaf) return { code: 0, stdout: `${usage(commands, leaf, under(commands, leaf))}${details(commands, leaf)}\n`, stderr: '' };
  const group = words.length === 1 ? under(commands, words[0] ?? '') : [];
  if (group.length) return { code: 0, stdout: `${usage(commands, `${words[0] ?? ''} <command>`, group)}\n`, stderr: '' };
  return unknownCommand(rest, commands);
}

/**
 * `argv` names no command (exit 64, on stderr): nothing at all gives the whole list; a group alone
 * (`varco db`) or with a word it does not know (`varco org bogus`) gives that group's commands.
 */
export function unknownCommand(argv: string[], commands: CommandSummaries): HelpAnswer {
  const words = wordsOf(argv);
  if (words.length === 0) return { code: 64, stdout: '', stderr: `${argv.length ? `Unknown command: ${argv.join(' ')}\n\n` : ''}${usage(commands)}\n` };
  const group = under(commands, words[0] ?? '');
  const text = group.length ? usage(commands, `${words[0] ?? ''} <command>`, group) : usage(commands);
  const problem = group.length && words.length === 1 ? `npx varco ${words[0] ?? ''} needs a command` : `Unknown command: ${words.join(' ')}`;
  return { code: 64, stdout: '', stderr: `${problem}\n\n${text}\n` };
}

/** A command's options beyond its summary line (`merchant configure`), shown by its own --help only. */
function details(commands: CommandSummaries, name: string): string {
  const options = commands[name]?.options;
  return options ? `\n\nOptions:\n${options.map((line) => `  ${line}`).join('\n')}` : '';
}
