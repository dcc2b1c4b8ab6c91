import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { SETTINGS, type SettingSpec } from './settings.ts';
import { splitDatabaseUrl } from './database-url.ts';

/** The one typed configuration object; built once at start and passed down. */
export interface Config {
  dataDir: string;
  host: string;
  port: number;
  publicUrl: string;
  hostNames: string[];
  tls: { certFile: string; keyFile: string } | undefined;
  databaseUrl: string | undefined;
  /** Owner role for migrations and grants (with DATABASE_URL); undefined: DATABASE_URL does both. */
  databaseOwnerUrl: string | undefined;
  embeddedPgPort: number;
  dbPoolSize: number;
  logLevel: string;
  sessionTtlMinutes: number;
  /** Absolute session lifetime, whatever the activity. */
  sessionAbsoluteHours: number;
  signInMaxFailures: number;
  signInLockMinutes: number;
  shutdownGraceMs: number;
  /** Proxies whose X-Forwarded-For is believed (addresses or CIDRs); empty: the socket address. */
  trustedProxies: string[];
  /** Bearer token for /metrics; undefined: /metrics is not served. */
  metricsToken: string | undefined;
  /** OTLP/HTTP collector; tracing is off without it (src/app/tracing.ts). */
  otel: { endpoint: string; serviceName: string } | undefined;
  /** Unset: e-mails stay in the outbox (readable on the back office Mail page). */
  smtpUrl: string | undefined;
  /** Refuse SMTP without TLS (credentials would cross in clear). */
  smtpRequireTls: boolean;
  mailFrom: string;
  /** Base64 master key from configuration; undefined → generated in the data directory. */
  masterKey: string | undefined;
  /** Run the outbox workers in the server process. */
  workers: boolean;
  /** Production changes that move money or trust wait for a second administrator (issue 16). */
  fourEyes: boolean;
  /** Hours a pending proposal waits before it expires. */
  proposalTtlHours: number;
  outboxLeaseMs: number;
  /** Scheduled re-verification of approved stations. */
  verifyIntervalMinutes: number;
  /** CIDRs outbound calls may reach although not public (normalised `addr/len`); empty: public only. */
  outboundAllowCidrs: string[];
  /** Hosted page entry: requests per minute per client address, and per PSPID. */
  ncolRateLimitPerIp: number;
  ncolRateLimitPerPspid: number;
  /** Most error-log rows kept per PSPID. */
  errorLogMaxRows: number;
  retention: { errorLogDays: number; outboxDays: number; checksDays: number; exchangesDays: number };
  /** pagoPA node: how long an EC station may take to answer paVerifyPaymentNotice, and paGetPayment[V2] (ms). */
  pagopaVerifyTimeoutMs: number;
  pagopaGetPaymentTimeoutMs: number;
  /** pagoPA receipts (paSendRT[V2]): the station's answer timeout. */
  pagopaRtTimeoutMs: number;
  /** pagoPA receipts: the outbox retry schedule of the `soap` channel (first delay, longest delay, give-up window). */
  pagopaRtRetry: { baseMs: number; capMs: number; giveUpAfterMs: number };
}

export class ConfigError extends Error {
  readonly setting: string;
  constructor(setting: string, message: string) {
    super(`Invalid configuration: ${setting} ${message}`);
    this.name = 'ConfigError';
    this.setting = setting;
  }
}

type Raw = Record<string, string | undefined>;

/** `addr/len` normalised, or undefined; a bare address is a /32 (/128). Parsed by ipaddr.js, never by hand. */
export function parseCidr(text: string): string | undefined {
  try {
    if (text.includes('/')) {
      const [addr, len] = ipaddr.parseCIDR(text);
      return `${addr.toString()}/${len}`;
    }
    if (!ipaddr.isValid(text)) return undefined;
    const addr = ipaddr.parse(text);
    return `${addr.toString()}/${addr.kind() === 'ipv4' ? 32 : 128}`;
  } catch {
    return undefined;
  }
}

const cidrList = (value: string | undefined): string[] =>
  value === undefined
    ? []
    : value
        .split(',')
        .map((v) => parseCidr(v.trim()))
        .filter((v): v is string => v !== undefined);

function readFile(path: string): Raw {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError('VARCO_CONFIG', `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}: ${path})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigError('VARCO_CONFIG', `is not valid JSON (${path})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError('VARCO_CONFIG', 'must hold a JSON object of setting names to values');
  }
  const known = new Set<string>(SETTINGS.map((s) => s.env));
  const out: Raw = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (!known.has(key)) throw new ConfigError(key, `is not a known setting (in ${path})`);
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new ConfigError(key, `must be a string, number or boolean (in ${path})`);
    }
    out[key] = String(value);
  }
  return out;
}

function checkValue(spec: SettingSpec, value: string): void {
  const name = spec.env;
  switch (spec.kind) {
    case 'int': {
      if (!/^\d+$/.test(value)) throw new ConfigError(name, `must be a whole number, got "${value}"`);
      const n = Number(value);
      if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
        throw new ConfigError(name, `must be between ${spec.min} and ${spec.max}, got ${n}`);
      }
      return;
    }
    case 'url': {
      // A PostgreSQL URL may name several hosts (primary, standby): each must be a URL of its own.
      const each = spec.protocols?.includes('postgres:') ? (splitDatabaseUrl(value)?.urls ?? [value]) : [value];
      for (const one of each) {
        let url: URL;
        try {
          url = new URL(one);
        } catch {
          throw new ConfigError(name, 'must be a URL');
        }
        if (spec.protocols && !spec.protocols.includes(url.protocol)) {
          throw new ConfigError(name, `must use ${spec.protocols.join(' or ')}, got ${url.protocol}`);
        }
      }
      return;
    }
    case 'enum':
      if (!spec.values?.includes(value)) throw new ConfigError(name, `must be one of ${spec.values?.join(', ')}, got "${value}"`);
      return;
    case 'bool':
      if (!['true', 'false', '1', '0'].includes(value)) throw new ConfigError(name, `must be true or false, got "${value}"`);
      return;
    case 'list':
      if (value.split(',').some((v) => v.trim() === '')) throw new ConfigError(name, 'must be a comma-separated list without empty entries');
      return;
    case 'token':
      if (value.length < 16 || /\s/.test(value)) throw new ConfigError(name, 'must be at least 16 characters without spaces');
      return;
    case 'cidrs':
      for (const entry of value.split(',').map((v) => v.trim())) {
        if (parseCidr(entry) === undefined)
          throw new ConfigError(name, `contains "${entry}", which is neither an IP address nor a CIDR (e.g. 127.0.0.0/8, 2001:db8::/32)`);
      }
      return;
    case 'secret':
      if (Buffer.from(value, 'base64').length !== 32) throw new ConfigError(name, 'must be 32 bytes encoded in base64');
      return;
    default:
      if (value.trim() === '') throw new ConfigError(name, 'must not be empty');
  }
}

/**
 * The only query parameters an SMTP URL may carry: a private CA (its PEM file) and the name the relay's
 * certificate must carry. Nothing that weakens the check: the certificate is always verified, with TLS
 * 1.2 or later (tls.rejectUnauthorized=false or tls.minVersion=TLSv1 were accepted before the
 * nineteenth session; docs/security.md 16).
 */
export const SMTP_URL_PARAMETERS: readonly string[] = ['tls.ca', 'tls.servername'];

/** Why a query parameter of an SMTP URL is refused (the mailer and the configuration say the same). */
export function smtpParameterRefusal(name: string): string | undefined {
  if (SMTP_URL_PARAMETERS.includes(name)) return undefined;
  return `has the parameter "${name}"; only tls.ca (a private CA's PEM file) and tls.servername are supported: the SMTP server's certificate is always verified, with TLS 1.2 or later`;
}

/**
 * VARCO_SMTP_URL against VARCO_SMTP_REQUIRE_TLS. Credentials over smtp:// with the requirement off
 * is refused at start rather than quietly overridden: the mailer sends credentials only over TLS
 * whatever the setting says (src/modules/delivery/smtp.mailer.ts), so `false` there would be a
 * promise Varco does not keep. Only tls.ca and tls.servername are understood (the mailer refuses others).
 */
function checkSmtp(url: string | undefined, requireTls: boolean): void {
  if (url === undefined) return;
  const parsed = new URL(url);
  for (const name of parsed.searchParams.keys()) {
    const refusal = smtpParameterRefusal(name);
    if (refusal !== undefined) throw new ConfigError('VARCO_SMTP_URL', refusal);
  }
  const ca = parsed.searchParams.get('tls.ca');
  if (ca !== null && !ca.startsWith('-----BEGIN')) {
    try {
      readFileSync(ca, 'utf8');
    } catch (error) {
      throw new ConfigError(
        'VARCO_SMTP_URL',
        `names in tls.ca a CA file that cannot be read (${ca}): ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      );
    }
  }
  if (parsed.username !== '' && parsed.protocol === 'smtp:' && !requireTls) {
    throw new ConfigError(
      'VARCO_SMTP_REQUIRE_TLS',
      'is false but VARCO_SMTP_URL carries credentials: Varco sends SMTP credentials only over TLS (STARTTLS or smtps://); set it to true, or remove the credentials',
    );
  }
}

/** Reads VARCO_* (and DATABASE_URL) from `env` and the optional file; throws ConfigError naming the setting. */
export function loadConfig(env: Raw = process.env, cwd: string = process.cwd()): Config {
  const file = env.VARCO_CONFIG ? readFile(resolve(cwd, env.VARCO_CONFIG)) : {};
  const values = new Map<string, string | undefined>();
  for (const spec of SETTINGS as readonly SettingSpec[]) {
    const raw = env[spec.env] !== undefined && env[spec.env] !== '' ? env[spec.env] : file[spec.env];
    const value = raw ?? spec.default;
    if (value !== undefined) checkValue(spec, value);
    values.set(spec.env, value);
  }
  const get = (name: string): string | undefined => values.get(name);
  const must = (name: string): string => {
    const v = get(name);
    if (v === undefined) throw new ConfigError(name, 'is required');
    return v;
  };
  const port = Number(must('VARCO_PORT'));
  const certFile = get('VARCO_TLS_CERT');
  const keyFile = get('VARCO_TLS_KEY');
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new ConfigError(certFile === undefined ? 'VARCO_TLS_CERT' : 'VARCO_TLS_KEY', 'must be set together with its pair (VARCO_TLS_CERT and VARCO_TLS_KEY)');
  }
  const hostNames = must('VARCO_HOSTNAMES')
    .split(',')
    .map((h) => h.trim());
  for (const h of hostNames) {
    if (isIP(h) === 0 && !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(h)) {
      throw new ConfigError('VARCO_HOSTNAMES', `contains "${h}", which is neither a host name nor an IP address`);
    }
  }
  const smtpRequireTls = ['true', '1'].includes(must('VARCO_SMTP_REQUIRE_TLS'));
  checkSmtp(get('VARCO_SMTP_URL'), smtpRequireTls);
  // The owner's URL means something only beside DATABASE_URL: alone it would be ignored and the embedded
  // cluster started instead, the operator believing the server uses their PostgreSQL.
  if (get('VARCO_DATABASE_OWNER_URL') !== undefined && get('DATABASE_URL') === undefined)
    throw new ConfigError('VARCO_DATABASE_OWNER_URL', 'is set without DATABASE_URL: set both for an external PostgreSQL, or neither for the embedded one');
  const rtRetryFirst = Number(must('VARCO_PAGOPA_RT_RETRY_FIRST_SECONDS'));
  const rtRetryMax = Number(must('VARCO_PAGOPA_RT_RETRY_MAX_SECONDS'));
  if (rtRetryFirst > rtRetryMax)
    throw new ConfigError('VARCO_PAGOPA_RT_RETRY_FIRST_SECONDS', `(${rtRetryFirst}) must not exceed VARCO_PAGOPA_RT_RETRY_MAX_SECONDS (${rtRetryMax})`);
  // The first host name, an IPv6 literal in brackets (https://[::1]:8443, not https://::1:8443).
  const firstHost = hostNames[0] ?? 'localhost';
  const publicUrl = (get('VARCO_PUBLIC_URL') ?? `https://${isIP(firstHost) === 6 ? `[${firstHost}]` : firstHost}:${port}`).replace(/\/+$/, '');
  return {
    dataDir: resolve(cwd, must('VARCO_DATA_DIR')),
    host: must('VARCO_HOST'),
    port,
    publicUrl,
    hostNames,
    tls: certFile !== undefined && keyFile !== undefined ? { certFile: resolve(cwd, certFile), keyFile: resolve(cwd, keyFile) } : undefined,
    databaseUrl: get('DATABASE_URL'),
    databaseOwnerUrl: get('VARCO_DATABASE_OWNER_URL'),
    embeddedPgPort: Number(must('VARCO_EMBEDDED_PG_PORT')),
    dbPoolSize: Number(must('VARCO_DB_POOL_SIZE')),
    logLevel: must('VARCO_LOG_LEVEL'),
    sessionTtlMinutes: Number(must('VARCO_SESSION_TTL_MINUTES')),
    sessionAbsoluteHours: Number(must('VARCO_SESSION_ABSOLUTE_HOURS')),
    signInMaxFailures: Number(must('VARCO_SIGNIN_MAX_FAILURES')),
    signInLockMinutes: Number(must('VARCO_SIGNIN_LOCK_MINUTES')),
    shutdownGraceMs: Number(must('VARCO_SHUTDOWN_GRACE_MS')),
    trustedProxies: cidrList(get('VARCO_TRUSTED_PROXIES')),
    metricsToken: get('VARCO_METRICS_TOKEN'),
    otel: (() => {
      const endpoint = get('OTEL_EXPORTER_OTLP_ENDPOINT');
      return endpoint === undefined ? undefined : { endpoint: endpoint.replace(/\/+$/, ''), serviceName: get('OTEL_SERVICE_NAME') ?? 'varco' };
    })(),
    smtpUrl: get('VARCO_SMTP_URL'),
    smtpRequireTls,
    mailFrom: must('VARCO_MAIL_FROM'),
    masterKey: get('VARCO_MASTER_KEY'),
    workers: ['true', '1'].includes(must('VARCO_WORKERS')),
    fourEyes: ['true', '1'].includes(must('VARCO_FOUR_EYES')),
    proposalTtlHours: Number(must('VARCO_PROPOSAL_TTL_HOURS')),
    outboxLeaseMs: Number(must('VARCO_OUTBOX_LEASE_SECONDS')) * 1000,
    verifyIntervalMinutes: Number(must('VARCO_VERIFY_INTERVAL_MINUTES')),
    outboundAllowCidrs: cidrList(get('VARCO_OUTBOUND_ALLOW_CIDRS')),
    ncolRateLimitPerIp: Number(must('VARCO_NCOL_RATE_LIMIT_PER_IP')),
    ncolRateLimitPerPspid: Number(must('VARCO_NCOL_RATE_LIMIT_PER_PSPID')),
    errorLogMaxRows: Number(must('VARCO_ERROR_LOG_MAX_ROWS')),
    retention: {
      errorLogDays: Number(must('VARCO_RETENTION_ERROR_LOG_DAYS')),
      outboxDays: Number(must('VARCO_RETENTION_OUTBOX_DAYS')),
      checksDays: Number(must('VARCO_RETENTION_CHECKS_DAYS')),
      exchangesDays: Number(must('VARCO_RETENTION_EXCHANGES_DAYS')),
    },
    pagopaVerifyTimeoutMs: Number(must('VARCO_PAGOPA_VERIFY_TIMEOUT_MS')),
    pagopaGetPaymentTimeoutMs: Number(must('VARCO_PAGOPA_GET_PAYMENT_TIMEOUT_MS')),
    pagopaRtTimeoutMs: Number(must('VARCO_PAGOPA_RT_TIMEOUT_MS')),
    pagopaRtRetry: { baseMs: rtRetryFirst * 1000, capMs: rtRetryMax * 1000, giveUpAfterMs: Number(must('VARCO_PAGOPA_RT_RETRY_HOURS')) * 3_600_000 },
  };
}

/** Markdown table for the README: name, default, meaning. */
export function configurationTable(): string {
  const rows = (SETTINGS as readonly SettingSpec[]).map((s) => `| \`${s.env}\` | ${s.default === undefined ? '—' : `\`${s.default}\``} | ${s.meaning} |`);
  return ['| name | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}
