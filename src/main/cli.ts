import { createLogger } from '../app/logger.ts';
import { ConfigError } from '../config/index.ts';
import { UsageError } from '../cli/args.ts';
import { createCliContext } from '../cli/context.ts';
import { coreCommands, type Command } from '../cli/core.commands.ts';
import { organisationCommands } from '../cli/organisation.commands.ts';
import { subscriptionCommands } from '../cli/subscription.commands.ts';
import { stationCommands } from '../cli/station.commands.ts';
import { pkiCommands } from '../cli/pki.commands.ts';
import { merchantCommands } from '../cli/merchant.commands.ts';
import { pagopaCommands } from '../cli/pagopa.commands.ts';
import { loadConfigOrExit, openMigratedDatabase } from './bootstrap.ts';

// `npx varco <group> <command> [options]`: thin commands over module services.

const commands: Record<string, { summary: string; run: Command }> = { ...coreCommands, ...organisationCommands, ...subscriptionCommands, ...stationCommands, ...pkiCommands,
  ...merchantCommands, ...pagopaCommands };

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((k) => k.length));
  return ['Usage: npx varco <command> [options] [--json]', '', ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const name = [argv.slice(0, 2).join(' '), argv[0] ?? ''].find((candidate) => candidate in commands);
  if (!name) {
    process.stderr.write(`${argv.length ? `Unknown command: ${argv.join(' ')}\n\n` : ''}${usage()}\n`);
    return argv.length && !['help', '--help', '-h'].includes(argv[0] ?? '') ? 64 : 0;
  }
  const config = loadConfigOrExit();
  const logger = createLogger(process.env.VARCO_LOG_LEVEL ?? 'warn', process.stderr);
  const ctx = createCliContext(config, (c) => openMigratedDatabase(c, logger, 'share'));
  try {
    const command = commands[name];
    return command ? await command.run(argv.slice(name.split(' ').length), ctx) : 64;
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) {
      process.stderr.write(`varco ${name}: ${error.message}\n`);
      return 64;
    }
    process.stderr.write(`varco ${name} failed: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await ctx.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
