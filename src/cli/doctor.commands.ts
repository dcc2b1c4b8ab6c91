import type { ConfigError } from '../config/index.ts';
import { output, parse } from './args.ts';
import type { Command } from './core.commands.ts';
import { doctorText, runDoctor, type DoctorCheck } from './doctor.ts';

// `varco doctor [--json]`: exit 0 when every check passes, 1 otherwise (monitoring reads --json).

export const doctorCommands: Record<string, { summary: string; run: Command }> = {
  doctor: {
    summary:
      'check configuration, database and its role, migrations, master key, certificates, clock, stations (DNS, TCP) and SMTP; one ✔/✘ line each with the fix [--json]',
    run: async (args, ctx) => {
      const { values } = parse(args, {});
      const checks = await runDoctor(ctx);
      output(ctx, values.json === true, { ok: checks.every((c) => c.ok), checks }, doctorText(checks));
      return checks.every((c) => c.ok) ? 0 : 1;
    },
  },
};

/** A configuration that cannot be read is the doctor's first ✘, not a usage error (exit 1, --json still JSON). */
export function doctorConfigFailure(error: ConfigError, args: string[], write: (text: string) => void): number {
  const check: DoctorCheck = {
    name: 'configuration',
    ok: false,
    detail: error.message,
    fix: 'correct the setting named (README, "Configuration"); every other check needs a readable configuration',
  };
  write(args.includes('--json') ? `${JSON.stringify({ ok: false, checks: [check] }, null, 2)}\n` : `${doctorText([check])}\n`);
  return 1;
}
