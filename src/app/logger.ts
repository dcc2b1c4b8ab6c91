import pino from 'pino';
import type { Logger } from 'pino';

// Secrets must never reach a log line: these paths are censored wherever they appear, in request
// logs and in objects passed to the logger. Bodies are never logged by Varco.
export const REDACT_PATHS = [
  'password', '*.password', 'newPassword', '*.newPassword', 'passwordConfirm', '*.passwordConfirm',
  'passphrase', '*.passphrase', '*.*.passphrase', 'shaInPassphrase', '*.shaInPassphrase', 'shaOutPassphrase', '*.shaOutPassphrase',
  'apiKey', '*.apiKey', 'key', '*.primaryKey', '*.secondaryKey', 'token', '*.token',
  'cardNumber', '*.cardNumber', 'CARDNO', '*.CARDNO', 'cvc', '*.cvc', 'CVC', '*.CVC',
  'req.headers.cookie', 'req.headers.authorization', 'req.headers["ocp-apim-subscription-key"]',
  'res.headers["set-cookie"]', 'headers.cookie', 'headers.authorization', 'headers["ocp-apim-subscription-key"]',
];

// Paths above only match where they are listed (pino's redaction is not recursive, and is case
// sensitive). This name check catches the same secrets at any depth and in any case, e.g. an
// outbound call logging `{ request: { headers: { 'Ocp-Apim-Subscription-Key': … } } }`.
const SECRET_KEY = /pass(word|phrase)|secret|token$|api_?key$|subscription-?key$|private_?key$|key_?pem$|^(primary|secondary)?key$|cookie|authorization|^card_?(number|no)$|^cvc$|^cvv$/i;
const CENSOR = '[redacted]';

/** A copy of plain objects and arrays with secret-named fields censored; other values (errors, requests) are left to their serializers. */
export function censorSecrets(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => censorSecrets(item, depth + 1));
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [name, item] of Object.entries(value)) out[name] = SECRET_KEY.test(name) && item !== undefined ? CENSOR : censorSecrets(item, depth + 1);
  return out;
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: CENSOR },
      formatters: { log: (object) => censorSecrets(object) as Record<string, unknown> },
      base: { service: 'varco' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Fastify's default request serializer would log the raw URL, which may carry `subscription-key`.
      serializers: {
        req: (req: { method?: string; url?: string; ip?: string; socket?: { remoteAddress?: string } }) =>
          ({ method: req.method, url: redactUrl(req.url ?? ''), remoteAddress: req.ip ?? req.socket?.remoteAddress }),
        err: pino.stdSerializers.err,
      },
    },
    destination,
  );
}

/** The query string can carry `subscription-key`; log the path with sensitive parameters censored. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  for (const name of [...params.keys()]) {
    if (/key|token|pass|^shasign$|card|cvc/i.test(name)) params.set(name, '[redacted]');
  }
  return `${url.slice(0, q)}?${params.toString()}`;
}

export type { Logger };
