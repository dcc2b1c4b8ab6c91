import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main, type CliIo } from '../../src/main/cli.ts';
import { childEnv, freePort } from '../support/server-process.ts';

// Issue 12: `varco --help`, `varco <group> --help` and `varco <command> --help` (or -h) print usage on
// stdout and exit 0, without reading the configuration or opening the database; an unknown command
// still exits 64 with the usage on stderr. In-process through the CLI's dispatcher, plus one real spawn.

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  contexts: number;
}

async function varco(...argv: string[]): Promise<Run> {
  const run: Run = { code: -1, stdout: '', stderr: '', contexts: 0 };
  const io: CliIo = {
    stdout: {
      write: (text: string) => {
        run.stdout += text;
      },
    },
    stderr: {
      write: (text: string) => {
        run.stderr += text;
      },
    },
    // The only way to the configuration and the database: help must never ask for it.
    context: () => {
      run.contexts++;
      throw new Error('help asked for the configuration and the database');
    },
  };
  run.code = await main(argv, io);
  return run;
}

/** The commands the top-level help lists, with their summaries. */
async function listed(): Promise<Array<[string, string]>> {
  const { stdout } = await varco('--help');
  return stdout.split('\n').flatMap((line) => {
    const match = /^ {2}(\S+(?: \S+)*) {2,}(.+)$/.exec(line);
    return match ? [[match[1]!, match[2]!] as [string, string]] : [];
  });
}

test('varco --help, -h and help print every command on stdout and exit 0', async () => {
  const commands = await listed();
  assert.ok(commands.length > 30, `only ${commands.length} commands listed`);
  for (const name of ['db migrate', 'admin create', 'psp add', 'ec link', 'station verify', 'invite link', 'password-reset link'])
    assert.ok(
      commands.some(([n]) => n === name),
      name,
    );
  for (const argv of [['--help'], ['-h'], ['help'], ['--json', '--help']]) {
    const run = await varco(...argv);
    assert.deepEqual([run.code, run.stderr, run.contexts], [0, '', 0], argv.join(' '));
    assert.match(run.stdout, /^Usage: npx varco <command> \[options\] \[--json\]\n/);
    assert.ok(commands.every(([name, summary]) => run.stdout.includes(`  ${name} `) && run.stdout.includes(summary)));
  }
});

test('every command answers --help with its own usage line, touching nothing', async () => {
  for (const [name, summary] of await listed()) {
    for (const flag of ['--help', '-h']) {
      const run = await varco(...name.split(' '), flag);
      assert.deepEqual([run.code, run.stderr, run.contexts], [0, '', 0], `${name} ${flag}`);
      assert.match(run.stdout, new RegExp(`^Usage: npx varco ${name} \\[options\\]`), `${name} ${flag}`);
      assert.ok(run.stdout.includes(`  ${name}  `) && run.stdout.includes(summary), `${name} ${flag}:\n${run.stdout}`);
    }
  }
  // Help wins wherever it stands among the options and positionals of a command.
  const late = await varco('station', 'verify', 'CODE', '--env', 'test', '-h');
  assert.deepEqual([late.code, late.contexts], [0, 0]);
  assert.match(late.stdout, /^Usage: npx varco station verify /);
  assert.doesNotMatch(late.stdout, /station add/, 'only the command asked about');
});

test('README.md has a row for every command --help lists', async () => {
  const readme = await readFile(resolve(import.meta.dirname, '../../README.md'), 'utf8');
  // The first cell of each row of its command table: `npx varco subscription approve\|suspend ID`, `trust list --env E`, …
  const documented = new Set<string>();
  for (const row of readme.split('\n').filter((line) => line.startsWith('| `npx varco '))) {
    for (const [, span = ''] of row.slice(0, row.indexOf(' | ', 2)).matchAll(/`([^`]+)`/g)) {
      const words = span.replace(/^npx varco /, '').split(' ');
      const end = words.findIndex((word) => !/^[a-z][a-z-]*(\\\|[a-z][a-z-]*)*$/.test(word));
      const names = words
        .slice(0, end === -1 ? words.length : end)
        .reduce<string[]>((prefixes, word) => prefixes.flatMap((prefix) => word.split('\\|').map((alternative) => `${prefix} ${alternative}`.trim())), ['']);
      for (const name of names) documented.add(name);
    }
  }
  assert.deepEqual(
    (await listed()).map(([name]) => name).filter((name) => !documented.has(name)),
    [],
  );
});

test('a group answers --help with its sub-commands only', async () => {
  const commands = await listed();
  const run = await varco('psp', '--help');
  assert.deepEqual([run.code, run.stderr, run.contexts], [0, '', 0]);
  assert.match(run.stdout, /^Usage: npx varco psp <command> \[options\]/);
  const shown = commands.filter(([name]) => run.stdout.includes(`  ${name} `)).map(([name]) => name);
  assert.deepEqual(
    shown,
    commands.map(([name]) => name).filter((name) => name.startsWith('psp ')),
  );
  assert.ok(shown.length >= 5);
  // A command that also heads sub-commands lists them with itself.
  const invite = await varco('invite', '--help');
  assert.equal(invite.code, 0);
  assert.ok(invite.stdout.includes('  invite ') && invite.stdout.includes('  invite link '));
});

test("unknown commands still exit 64 with the usage on stderr, with or without --help; under a group, that group's", async () => {
  for (const argv of [
    ['frobnicate', '--help'],
    ['frobnicate', 'now'],
  ]) {
    const run = await varco(...argv);
    assert.deepEqual([run.code, run.stdout, run.contexts], [64, '', 0], argv.join(' '));
    assert.match(run.stderr, /^Unknown command: .*frobnicate/);
    assert.match(run.stderr, /Usage: npx varco <command>/);
  }
  const psp = await varco('psp', '--help');
  for (const argv of [
    ['psp', 'frobnicate', '--help'],
    ['psp', 'frobnicate'],
  ]) {
    const run = await varco(...argv);
    assert.deepEqual([run.code, run.stdout, run.contexts], [64, '', 0], argv.join(' '));
    assert.equal(run.stderr, `Unknown command: psp frobnicate\n\n${psp.stdout}`, argv.join(' '));
  }
  // After `--` a "--help" is a value for the command, not a request for help: the command runs (and needs its context).
  await assert.rejects(varco('shasign', '--', '--help'), /asked for the configuration/);
});

test('npx varco psp add --help: the real command, with an invalid configuration and no database reachable', async () => {
  const dataDir = join(tmpdir(), `varco-help-${process.pid}-${Date.now()}`);
  const env = childEnv({ DATABASE_URL: `postgres://varco@127.0.0.1:${await freePort()}/none`, VARCO_DATA_DIR: dataDir, VARCO_PORT: 'not-a-port' });
  const root = resolve(import.meta.dirname, '../..');
  const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    const child = execFile(
      join(root, 'node_modules/.bin/node'),
      ['bin/varco.js', 'psp', 'add', '--help'],
      { cwd: root, env, timeout: 30_000 },
      (_error, stdout, stderr) => done({ code: child.exitCode, stdout, stderr }),
    );
  });
  assert.deepEqual([run.code, run.stderr], [0, '']);
  assert.match(run.stdout, /^Usage: npx varco psp add \[options\] \[--json\]\n\n {2}psp add {2}register a pagoPA PSP/);
  assert.equal(existsSync(dataDir), false, 'no data directory was created');
});

test('a group alone lists its commands, no arguments the whole list: usage errors (exit 64, stderr); --help alone exits 0', async () => {
  for (const group of ['db', 'org', 'psp']) {
    const run = await varco(group);
    const help = await varco(group, '--help');
    assert.deepEqual([run.code, run.stdout, run.contexts], [64, '', 0], group);
    assert.equal(run.stderr, `npx varco ${group} needs a command\n\n${help.stdout}`);
  }
  const bare = await varco();
  assert.deepEqual([bare.code, bare.stdout, bare.contexts], [64, '', 0]);
  assert.equal(bare.stderr, (await varco('--help')).stdout);
  assert.equal((await varco('--help')).code, 0);
});

test("--version prints the version of package.json and exits 0; as a command's option it stays that command's", async () => {
  const { version } = JSON.parse(await readFile(resolve(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string };
  const run = await varco('--version');
  assert.deepEqual([run.code, run.stdout, run.stderr, run.contexts], [0, `${version}\n`, '', 0]);
  // `ec link … --version 2` is the primitive version: the command runs (and asks for its context).
  await assert.rejects(varco('ec', 'link', '--version', '2'), /asked for the configuration/);
});

test('merchant configure --help lists every option of its README row, each with what it sets', async () => {
  const run = await varco('merchant', 'configure', '--help');
  assert.deepEqual([run.code, run.stderr, run.contexts], [0, '', 0]);
  assert.doesNotMatch(run.stdout, /see README/);
  const readme = await readFile(resolve(import.meta.dirname, '../../README.md'), 'utf8');
  const row = readme.split('\n').find((line) => line.startsWith('| `npx varco merchant configure ')) ?? '';
  const options = [...new Set(row.slice(0, row.indexOf(' | ', 2)).match(/--[a-z0-9-]+/g))];
  assert.ok(options.length > 20, `${options.length} options in the README row`);
  const lines = run.stdout.split('\n');
  for (const option of options)
    assert.ok(
      lines.some((line) => new RegExp(`^ {2}.*${option}\\b.* {2,}\\S`).test(line)),
      `${option} is not listed with a description:\n${run.stdout}`,
    );
});
