import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { exportFiles, listCertificates, PKI_ENVIRONMENTS, splitPemChain, type PkiEnvironment } from '../pki/index.ts';
import { migrateAsOwner } from '../main/bootstrap.ts';
import { devServerCertificate } from '../app/container.ts';
import type { PlatformPki } from '../modules/platform/index.ts';
import type { PasswordProblem } from '../modules/identity/index.ts';
import { verifyAuditChain, type AuditVerdict } from '../modules/audit/index.ts';
import { configurationTable } from '../config/index.ts';
import { output, parse, required, UsageError } from './args.ts';
import { readSecret } from './prompt.ts';
import type { CliContext } from './context.ts';

export type Command = (args: string[], ctx: CliContext) => Promise<number>;

/**
 * The certificate this instance serves: with VARCO_TLS_CERT its leaf, read as it is (no development
 * certificate or key is made: docs/security.md 25), or why it cannot be read here (the file may be the
 * server's only); otherwise the development one, made if missing.
 */
async function servedCertificate(ctx: CliContext, platform: PlatformPki): Promise<{ pem: string } | { problem: string }> {
  const tls = ctx.config.tls;
  if (tls === undefined) return { pem: (await devServerCertificate(ctx.config, platform)).certPem };
  let pem: string;
  try {
    pem = await readFile(tls.certFile, 'utf8');
  } catch (error) {
    return { problem: `VARCO_TLS_CERT (${tls.certFile}) cannot be read here: ${(error as Error).message}` };
  }
  const leaf = splitPemChain(pem)[0];
  return leaf === undefined ? { problem: `VARCO_TLS_CERT (${tls.certFile}) holds no PEM certificate` } : { pem: leaf };
}

/** The platform PKI in the database (created or imported on first use, which needs the master key). */
async function platformPki(ctx: CliContext): Promise<PlatformPki> {
  return (await ctx.container()).platform();
}

async function publicEnvironment(platform: PlatformPki, env: PkiEnvironment): Promise<{ caCertPem: string; clientChainPem: string }> {
  const material = await platform.material(env);
  return { caCertPem: material.caCertPem, clientChainPem: material.current.chainPem };
}

const PASSWORD_PROBLEMS: Record<PasswordProblem | 'invalid_email' | 'exists', string> = {
  too_short: 'the password must have at least 12 characters',
  common: 'the password is on the list of common passwords',
  mismatch: 'the passwords differ',
  invalid_email: 'the e-mail address is not valid',
  exists: 'an administrator with this e-mail already exists',
};

function verdictText(verdict: AuditVerdict): string {
  if (verdict.ok) {
    const { checkpoint: cp } = verdict;
    return (
      `Audit log intact: ${verdict.checked} rows checked (${verdict.unkeyed} unkeyed from before the keyed chain); ` +
      `newest ${cp.signed ? 'signed ' : 'unsigned '}checkpoint: seq ${cp.seq}, ${cp.count} rows, ${cp.at}.`
    );
  }
  if (verdict.kind === 'row')
    return `Audit log TAMPERED at row seq=${verdict.seq} (${verdict.id ?? '?'}): ${verdict.problem}; ${verdict.checked} rows before it are intact.`;
  return `Audit log TAMPERED: ${verdict.problem}; ${verdict.checked} rows checked.`;
}

export const coreCommands: Record<string, { summary: string; run: Command }> = {
  'db migrate': {
    summary: 'apply pending database migrations',
    run: async (args, ctx) => {
      const { values } = parse(args, {});
      const result = await migrateAsOwner(await ctx.database());
      output(
        ctx,
        values.json === true,
        { applied: result.applied.map((m) => m.version), current: result.current },
        result.applied.length
          ? `Applied ${result.applied.map((m) => `${m.version}_${m.name}`).join(', ')}; schema at ${result.current}.`
          : `Schema up to date at ${result.current}.`,
      );
      return 0;
    },
  },
  'admin create': {
    summary: 'create an administrator (--email E [--password-file F])',
    run: async (args, ctx) => {
      const { values } = parse(args, { email: { type: 'string' }, 'password-file': { type: 'string' } });
      const email = required(values, 'email');
      const file = typeof values['password-file'] === 'string' ? values['password-file'] : undefined;
      const password = await readSecret(ctx, 'Password (at least 12 characters): ', { path: file, option: 'password-file' });
      if (!file && ctx.stdin.isTTY) {
        const again = await readSecret(ctx, 'Repeat the password: ', { path: undefined, option: 'password-file' });
        if (again !== password) throw new UsageError(PASSWORD_PROBLEMS.mismatch);
      }
      const { identity } = (await ctx.container()).services;
      const result = await identity.createAdmin({ email, password, actor: 'cli' });
      if (!result.ok) throw new UsageError(`Administrator not created: ${PASSWORD_PROBLEMS[result.reason]}.`);
      output(
        ctx,
        values.json === true,
        { id: result.value.id, email },
        `Administrator ${email} created (${result.value.id}). Sign in at ${ctx.config.publicUrl}/admin/sign-in`,
      );
      return 0;
    },
  },
  'pki show': {
    summary:
      'print subject, fingerprint and expiry of the platform CAs and client certificates and of the server certificate (VARCO_TLS_CERT, or the development one)',
    run: async (args, ctx) => {
      const { values } = parse(args, {});
      const platform = await platformPki(ctx);
      const served = await servedCertificate(ctx, platform);
      const certs = listCertificates('pem' in served ? served.pem : undefined, {
        test: await publicEnvironment(platform, 'test'),
        prod: await publicEnvironment(platform, 'prod'),
      });
      const unread = 'problem' in served ? [{ name: 'server', problem: served.problem }] : [];
      const text = [
        ...unread.map(({ name, problem }) => `${name.padEnd(12)} ${problem}`),
        ...certs.map(
          ({ name, info }) =>
            `${name.padEnd(12)} ${info.subject}\n${''.padEnd(12)} SHA-256 ${info.fingerprintSha256}\n${''.padEnd(12)} expires ${info.notAfter.toISOString()}`,
        ),
      ].join('\n');
      output(
        ctx,
        values.json === true,
        [
          ...unread,
          ...certs.map(({ name, info }) => ({
            name,
            subject: info.subject,
            issuer: info.issuer,
            fingerprintSha256: info.fingerprintSha256,
            notBefore: info.notBefore.toISOString(),
            notAfter: info.notAfter.toISOString(),
          })),
        ],
        text,
      );
      return 0;
    },
  },
  'pki export': {
    summary: 'write the platform CA and client certificate chain of an environment (--env test|prod --dir D)',
    run: async (args, ctx) => {
      const { values } = parse(args, { env: { type: 'string' }, dir: { type: 'string' } });
      const env = required(values, 'env');
      if (!(PKI_ENVIRONMENTS as readonly string[]).includes(env)) throw new UsageError(`--env must be one of ${PKI_ENVIRONMENTS.join(', ')}`);
      const dir = resolve(required(values, 'dir'));
      const files: string[] = [];
      await mkdir(dir, { recursive: true });
      for (const file of exportFiles(await publicEnvironment(await platformPki(ctx), env as PkiEnvironment), env as PkiEnvironment)) {
        files.push(join(dir, file.name));
        await writeFile(join(dir, file.name), file.pem, { mode: 0o644 });
      }
      output(ctx, values.json === true, { files }, files.join('\n'));
      return 0;
    },
  },
  'audit verify': {
    summary: 'check the audit log: keyed hash chain and signed checkpoint (needs the master key); exit 3 names the first tampered row',
    run: async (args, ctx) => {
      const { values } = parse(args, {});
      const verdict = await verifyAuditChain((await ctx.database()).db, await ctx.masterKey());
      output(ctx, values.json === true, verdict, verdictText(verdict));
      return verdict.ok ? 0 : 3;
    },
  },
  'config table': {
    summary: 'print the configuration settings as a Markdown table',
    run: async (args, ctx) => {
      parse(args, {});
      ctx.stdout.write(`${configurationTable()}\n`);
      return 0;
    },
  },
};
