// `varco --help`, `varco <group> --help`, `varco <command> --help` (and `-h`, `varco help …`): the usage
// lines the unknown-command error prints, narrowed to what was asked for. Pure: no configuration, no
// database, so help works where nothing is set up yet.

const HELP_FLAGS = ['--help', '-h'];

export type CommandSummaries = Record<string, { summary: string }>;

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

/** The answer to a help request, or undefined when `argv` asks for none (before `--`, values never start with '-'). */
export function helpFor(argv: string[], commands: CommandSummaries): HelpAnswer | undefined {
  const end = argv.indexOf('--');
  const options = end === -1 ? argv : argv.slice(0, end);
  const viaWord = argv[0] === 'help';
  if (!viaWord && !options.some((arg) => HELP_FLAGS.includes(arg))) return undefined;
  const rest = viaWord ? argv.slice(1) : argv;
  const firstOption = rest.findIndex((arg) => arg.startsWith('-'));
  const words = firstOption === -1 ? rest : rest.slice(0, firstOption);
  const all = Object.keys(commands);
  const under = (prefix: string): string[] => all.filter((name) => name === prefix || name.startsWith(`${prefix} `));
  if (words.length === 0) return { code: 0, stdout: `${usage(commands)}\n`, stderr: '' };
  // Resolved as the CLI runs commands: two words, then one; positionals may follow (`invite link ID --help`).
  const leaf = [words.slice(0, 2).join(' '), words[0] ?? ''].find((candidate) => candidate in commands);
  if (leaf) return { code: 0, stdout: `${usage(commands, leaf, under(leaf))}\n`, stderr: '' };
  const group = words.length === 1 ? under(words[0] ?? '') : [];
  if (group.length) return { code: 0, stdout: `${usage(commands, `${words[0] ?? ''} <command>`, group)}\n`, stderr: '' };
  return { code: 64, stdout: '', stderr: `Unknown command: ${words.join(' ')}\n\n${usage(commands)}\n` };
}
