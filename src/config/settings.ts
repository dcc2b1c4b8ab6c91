// Every setting Varco reads, in one table: the loader, the validation messages and the
// README's configuration table all come from here, so they cannot drift apart.

export type SettingKind = 'string' | 'int' | 'url' | 'path' | 'enum' | 'list' | 'bool' | 'secret' | 'token' | 'cidrs';

export interface SettingSpec {
  env: string;
  kind: SettingKind;
  default: string | undefined;
  meaning: string;
  min?: number;
  max?: number;
  values?: readonly string[];
  protocols?: readonly string[];
}

export const SETTINGS = [
  {
    env: 'VARCO_CONFIG',
    kind: 'path',
    default: undefined,
    meaning: 'Optional JSON file whose keys are these setting names; environment variables win over it.',
  },
  {
    env: 'VARCO_DATA_DIR',
    kind: 'path',
    default: './data',
    meaning: 'Directory for the embedded PostgreSQL cluster, the development PKI and generated secrets.',
  },
  { env: 'VARCO_HOST', kind: 'string', default: '0.0.0.0', meaning: 'Address the HTTPS server listens on.' },
  { env: 'VARCO_PORT', kind: 'int', default: '8443', min: 0, max: 65535, meaning: 'HTTPS port (0 picks a free port).' },
  {
    env: 'VARCO_PUBLIC_URL',
    kind: 'url',
    default: undefined,
    protocols: ['https:'],
    meaning:
      'Base URL used in e-mails and printed links; default `https://<first of VARCO_HOSTNAMES>:<VARCO_PORT>` (an IPv6 address in brackets), `https://localhost:8443` with the defaults.',
  },
  { env: 'VARCO_HOSTNAMES', kind: 'list', default: 'localhost', meaning: 'Comma-separated host names (or IPs) put in the development server certificate.' },
  {
    env: 'VARCO_TLS_CERT',
    kind: 'path',
    default: undefined,
    meaning: 'PEM certificate chain for HTTPS; with VARCO_TLS_KEY replaces the development PKI server certificate.',
  },
  { env: 'VARCO_TLS_KEY', kind: 'path', default: undefined, meaning: 'PEM private key matching VARCO_TLS_CERT.' },
  {
    env: 'DATABASE_URL',
    kind: 'url',
    default: undefined,
    protocols: ['postgres:', 'postgresql:'],
    meaning: 'External PostgreSQL; when set, no embedded server starts.',
  },
  {
    env: 'VARCO_DATABASE_OWNER_URL',
    kind: 'url',
    default: undefined,
    protocols: ['postgres:', 'postgresql:'],
    meaning:
      'With DATABASE_URL: the role that owns the schema; migrations and grants run with it, and the server itself connects with DATABASE_URL, which should be a non-superuser role (docs/security.md, section 8, "Audit log integrity and database roles"). Unset: DATABASE_URL does both.',
  },
  { env: 'VARCO_EMBEDDED_PG_PORT', kind: 'int', default: '54329', min: 1, max: 65535, meaning: 'Loopback port of the embedded PostgreSQL.' },
  {
    env: 'VARCO_DB_POOL_SIZE',
    kind: 'int',
    default: '10',
    min: 1,
    max: 200,
    meaning:
      'Connections in the PostgreSQL pool of one Varco process. Each process also holds up to six LISTEN connections of its own (the outbox workers and five caches), so size `max_connections` for (pool + 6) × processes.',
  },
  {
    env: 'VARCO_LOG_LEVEL',
    kind: 'enum',
    default: 'info',
    values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    meaning:
      'pino log level. Lines are JSON on stdout, written in batches (at most 20 ms after they are logged); a server or worker that stops writes them all before it exits, one killed with SIGKILL may lose the last ones.',
  },
  { env: 'VARCO_SESSION_TTL_MINUTES', kind: 'int', default: '480', min: 5, max: 10080, meaning: 'Idle lifetime of a signed-in session.' },
  {
    env: 'VARCO_SESSION_ABSOLUTE_HOURS',
    kind: 'int',
    default: '12',
    min: 1,
    max: 720,
    meaning: 'Absolute lifetime of a session, however active: after it the person signs in again.',
  },
  {
    env: 'VARCO_SIGNIN_MAX_FAILURES',
    kind: 'int',
    default: '5',
    min: 1,
    max: 100,
    meaning: 'Failed sign-ins for one account within 15 minutes before a temporary lock (an IP address gets four times as many).',
  },
  { env: 'VARCO_SIGNIN_LOCK_MINUTES', kind: 'int', default: '15', min: 1, max: 1440, meaning: 'Duration of the temporary sign-in lock.' },
  {
    env: 'VARCO_TRUSTED_PROXIES',
    kind: 'cidrs',
    default: undefined,
    meaning: 'Comma-separated addresses or CIDRs of reverse proxies whose `X-Forwarded-For` is believed. Unset: the client address is the socket\u2019s.',
  },
  {
    env: 'VARCO_METRICS_TOKEN',
    kind: 'token',
    default: undefined,
    meaning:
      'Bearer token that `/metrics` requires (`Authorization: Bearer …`, at least 16 characters). Unset: `/metrics` answers 404, and nothing is counted (no metrics hook runs, prom-client is not loaded).',
  },
  {
    env: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    kind: 'url',
    default: undefined,
    protocols: ['http:', 'https:'],
    meaning:
      'OpenTelemetry collector (OTLP over HTTP, e.g. `http://collector:4318`); spans go to `<endpoint>/v1/traces`. Unset: tracing is off and costs nothing.',
  },
  { env: 'OTEL_SERVICE_NAME', kind: 'string', default: 'varco', meaning: "The spans' `service.name`." },
  { env: 'VARCO_SHUTDOWN_GRACE_MS', kind: 'int', default: '10000', min: 0, max: 120000, meaning: 'How long shutdown waits for requests in flight.' },
  {
    env: 'VARCO_SMTP_URL',
    kind: 'url',
    default: undefined,
    protocols: ['smtp:', 'smtps:'],
    meaning:
      "SMTP server for e-mail (`smtp://user:pass@host:587`, `smtps://…:465`). Only two parameters are accepted: `?tls.ca=/etc/varco/mail-ca.pem` (a private CA's PEM file) and `?tls.servername=mail.example.org`; the certificate is always verified, TLS 1.2 or later. Unset: nothing is sent; e-mails wait in the outbox and administrators read them on the back office Mail page.",
  },
  {
    env: 'VARCO_SMTP_REQUIRE_TLS',
    kind: 'bool',
    default: 'true',
    meaning:
      'Send no mail at all over a connection without TLS (smtps://, or STARTTLS with a verified certificate); false lets a plain relay without credentials (a local MTA on smtp://127.0.0.1:25) get the mail. Credentials are sent only over TLS either way.',
  },
  { env: 'VARCO_MAIL_FROM', kind: 'string', default: 'Varco <no-reply@varco.localhost>', meaning: 'Sender (From) of the e-mails Varco sends.' },
  {
    env: 'VARCO_MASTER_KEY',
    kind: 'secret',
    default: undefined,
    meaning:
      'Base64 of 32 random bytes sealing secrets at rest (SHA passphrases). Unset: generated once in `<VARCO_DATA_DIR>/master.key`. Instances sharing a database must share it (Varco refuses to start with a different key).',
  },
  {
    env: 'VARCO_FOUR_EYES',
    kind: 'bool',
    default: 'true',
    meaning:
      'Four-eyes in production (docs/adr/0034-four-eyes.md): approving a production subscription or station, regenerating a production key, adding a production trusted CA and rotating the production platform client certificate become proposals a second administrator approves; every production subscription waits for that approval, whatever its product says, and the CLI creates no active production subscription. `false` only for single-administrator installations (the back office home warns).',
  },
  {
    env: 'VARCO_PROPOSAL_TTL_HOURS',
    kind: 'int',
    default: '72',
    min: 1,
    max: 720,
    meaning: 'How long a four-eyes proposal waits for a second administrator before it expires.',
  },
  {
    env: 'VARCO_WORKERS',
    kind: 'bool',
    default: 'true',
    meaning:
      'Run the workers (e-mail, server-to-server delivery, station re-verification, certificate expiry warnings and the retention jobs) inside the server process; `false` when they run apart (`node src/main/worker.js`).',
  },
  {
    env: 'VARCO_OUTBOX_LEASE_SECONDS',
    kind: 'int',
    default: '60',
    min: 5,
    max: 3600,
    meaning: 'How long a worker holds a message it is delivering; a message held by a crashed worker is delivered again after this.',
  },
  {
    env: 'VARCO_VERIFY_INTERVAL_MINUTES',
    kind: 'int',
    default: '60',
    min: 1,
    max: 10080,
    meaning: 'How often the workers re-verify the reachability of every approved station (certificate expiry warnings are checked daily).',
  },
  {
    env: 'VARCO_OUTBOUND_ALLOW_CIDRS',
    kind: 'cidrs',
    default: undefined,
    meaning:
      'Comma-separated CIDRs that outbound calls (stations, server-to-server feedback) may reach although they are not public (loopback, private, …), e.g. `127.0.0.0/8` for local development. Unset: only public addresses.',
  },
  {
    env: 'VARCO_NCOL_RATE_LIMIT_PER_IP',
    kind: 'int',
    default: '120',
    min: 1,
    max: 1000000,
    meaning: 'Requests per minute one client address may make to the hosted page entry (`/ncol/*/orderstandard*`); more get HTTP 429.',
  },
  {
    env: 'VARCO_NCOL_RATE_LIMIT_PER_PSPID',
    kind: 'int',
    default: '600',
    min: 1,
    max: 1000000,
    meaning: 'Requests per minute naming one PSPID that the hosted page entry accepts; more get HTTP 429.',
  },
  {
    env: 'VARCO_ERROR_LOG_MAX_ROWS',
    kind: 'int',
    default: '5000',
    min: 100,
    max: 10000000,
    meaning: 'Most rows the hosted-page error log keeps per PSPID (and for unknown PSPIDs together); older rows are dropped first.',
  },
  { env: 'VARCO_RETENTION_ERROR_LOG_DAYS', kind: 'int', default: '30', min: 1, max: 3650, meaning: 'Days the hosted-page error log keeps a row.' },
  {
    env: 'VARCO_RETENTION_OUTBOX_DAYS',
    kind: 'int',
    default: '30',
    min: 1,
    max: 3650,
    meaning: 'Days a delivered or abandoned outbox message (and its attempts) is kept.',
  },
  {
    env: 'VARCO_RETENTION_CHECKS_DAYS',
    kind: 'int',
    default: '90',
    min: 1,
    max: 3650,
    meaning: 'Days station verification results are kept (each station\u2019s latest is always kept).',
  },
  {
    env: 'VARCO_PAGOPA_RT_TIMEOUT_MS',
    kind: 'int',
    default: '15000',
    min: 1000,
    max: 120000,
    meaning:
      'How long Varco waits for a creditor institution\u2019s station to answer paSendRT / paSendRTV2 (a receipt delivery), at most a quarter of the outbox lease; no answer in time is a failed attempt, retried.',
  },
  {
    env: 'VARCO_PAGOPA_RT_RETRY_FIRST_SECONDS',
    kind: 'int',
    default: '20',
    min: 1,
    max: 3600,
    meaning:
      'Delay before the first retry of a receipt delivery that failed; each further retry waits twice as long (plus up to 25 % jitter) up to VARCO_PAGOPA_RT_RETRY_MAX_SECONDS.',
  },
  {
    env: 'VARCO_PAGOPA_RT_RETRY_MAX_SECONDS',
    kind: 'int',
    default: '3600',
    min: 1,
    max: 86400,
    meaning: 'Longest wait between two retries of a receipt delivery (hourly by default, as pagoPA\u2019s node).',
  },
  {
    env: 'VARCO_PAGOPA_RT_RETRY_HOURS',
    kind: 'int',
    default: '48',
    min: 1,
    max: 720,
    meaning:
      'How long a receipt delivery is retried before Varco gives up and e-mails the creditor institution\u2019s referents (a referent or administrator can still press Resend).',
  },
  {
    env: 'VARCO_RETENTION_EXCHANGES_DAYS',
    kind: 'int',
    default: '30',
    min: 1,
    max: 3650,
    meaning: 'Days the pagoPA exchange log keeps a SOAP message (request and response), counted from the exchange.',
  },
  {
    env: 'VARCO_PAGOPA_VERIFY_TIMEOUT_MS',
    kind: 'int',
    default: '8000',
    min: 100,
    max: 120000,
    meaning: 'How long the pagoPA node waits for an EC station\u2019s answer to paVerifyPaymentNotice before answering the PSP `PPT_STAZIONE_INT_PA_TIMEOUT`.',
  },
  {
    env: 'VARCO_PAGOPA_GET_PAYMENT_TIMEOUT_MS',
    kind: 'int',
    default: '8000',
    min: 100,
    max: 120000,
    meaning:
      'How long the pagoPA node waits for an EC station\u2019s answer to paGetPayment[V2] during an activation before answering `PPT_STAZIONE_INT_PA_TIMEOUT` (the notice is freed).',
  },
] as const satisfies readonly SettingSpec[];

export type SettingName = (typeof SETTINGS)[number]['env'];
