import { readFile } from 'node:fs/promises';
import { createLogger } from '../app/logger.ts';
import { ConfigError, loadConfig, type Config } from '../config/index.ts';
import { UsageError } from '../cli/args.ts';
import { createCliContext, type CliContext, type CliStreams } from '../cli/context.ts';
import { helpFor, unknownCommand } from '../cli/help.ts';
import { coreCommands, type Command } from '../cli/core.commands.ts';
import { organisationCommands } from '../cli/organisation.commands.ts';
import { passwordResetCommands } from '../cli/password-reset.commands.ts';
import { userCommands } from '../cli/user.commands.ts';
import { subscriptionCommands } from '../cli/subscription.commands.ts';
import { stationCommands } from '../cli/station.commands.ts';
import { pkiCommands } from '../cli/pki.commands.ts';
import { proposalCommands } from '../cli/proposal.commands.ts';
import { merchantCommands } from '../cli/merchant.commands.ts';
import { apiUserCommands } from '../cli/api-user.commands.ts';
import { pagopaCommands } from '../cli/pagopa.commands.ts';
import { doctorCommands, doctorConfigFailure } from '../cli/doctor.commands.ts';
import { backupCommands } from '../cli/backup.commands.ts';
import { outboxCommands } from '../cli/outbox.commands.ts';
import { openMigratedDatabase } from './bootstrap.ts';

// `npx varco <group> <command> [options]`: thin commands over module services.

const commands: Record<string, { summary: string; options?: string[]; run: Command }> = {
  ...coreCommands,
  ...organisationCommands,
  ...passwordResetCommands,
  ...userCommands,
  ...subscriptionCommands,
  ...stationCommands,
  ...pkiCommands,
  ...proposalCommands,
  ...merchantCommands,
  ...apiUserCommands,
  ...pagopaCommands,
  ...doctorCommands,
  ...backupCommands,
  ...outboxCommands,
};

/** Where the dispatcher writes, and how a command gets its context (configuration, then the database on first use). */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  context(): CliContext;
}

/** A command's context writing to `streams`: the database opens on first use, migrated, sharing a running embedded cluster. */
export function cliContext(config: Config, streams: CliStreams, logLevel: string): CliContext {
  const logger = createLogger(logLevel, streams.stderr);
  return createCliContext(config, (c) => openMigratedDatabase(c, logger, 'share'), streams, logger);
}

/**
 * The CLI's log level: VARCO_LOG_LEVEL, or 'warn' (not the server's 'info') when unset or empty, as
 * loadConfig takes an empty setting (a compose file's `${LOG_LEVEL:-}`); loadConfig has checked the value.
 */
export function cliLogLevel(env: Record<string, string | undefined>): string {
  return env.VARCO_LOG_LEVEL || 'warn';
}

const processIo: CliIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  // A configuration error is main's to report (exit code 2); loadConfig runs first, so a bad level is one.
  context: () => cliContext(loadConfig(), process, cliLogLevel(process.env)),
};

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  if (argv.length === 1 && argv[0] === '--version') {
    const { version } = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    io.stdout.write(`${version}\n`);
    return 0;
  }
  // Help is answered before the configuration is read: it works with nothing set up; so is a command not found.
  const name = [argv.slice(0, 2).join(' '), argv[0] ?? ''].find((candidate) => candidate in commands);
  const help = helpFor(argv, commands) ?? (name ? undefined : unknownCommand(argv, commands));
  if (help) {
    io.stdout.write(help.stdout);
    io.stderr.write(help.stderr);
    return help.code;
  }
  if (!name) return 64;
  let ctx: CliContext;
  try {
    ctx = io.context();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    if (name === 'doctor') return doctorConfigFailure(error, argv.slice(1), (text) => io.stdout.write(text));
    io.stderr.write(`${error.message}\n`);
    return 2;
  }
  try {
    const command = commands[name];
    return command ? await command.run(argv.slice(name.split(' ').length), ctx) : 64;
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) {
      const help = error instanceof UsageError && error.help ? ` (npx varco ${name} --help lists its options)` : '';
      io.stderr.write(`varco ${name}: ${error.message}${help}\n`);
      return 64;
    }
    io.stderr.write(`varco ${name} failed: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await ctx.close().catch((error: unknown) => io.stderr.write(`varco ${name}: closing the database failed: ${(error as Error).message}\n`));
  }
}

// Run as `node src/main/cli.ts`; bin/varco.js imports this module and calls main itself; tests call main.
if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
