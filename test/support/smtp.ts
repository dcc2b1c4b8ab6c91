import { after } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { freePort } from './processes.ts';

// A real SMTP receiver for tests (smtp-server on 127.0.0.1), with a small MIME reader for what
// nodemailer sends: headers (RFC 2047 encoded words), multipart/alternative, quoted-printable and
// base64 bodies. It can stop and start again on the same port, to play an SMTP outage.

export interface ReceivedMail {
  envelopeFrom: string;
  envelopeTo: string[];
  headers: Map<string, string>;
  subject: string;
  /** The Message-ID header, e.g. `<msg_…@varco.localhost>`. */
  messageId: string;
  /** Varco's outbox id (X-Varco-Message-Id). */
  varcoId: string;
  text: string;
  html: string;
  raw: string;
  /** Whether the session that carried it was encrypted (STARTTLS or implicit TLS). */
  secure: boolean;
}

export interface SmtpReceiver {
  port: number;
  url: string;
  /**
   * Settings for a Varco process sending here. A plain receiver offers no TLS, so it says
   * VARCO_SMTP_REQUIRE_TLS=false (allowed because its URL carries no credentials).
   */
  env: Record<string, string>;
  messages: ReceivedMail[];
  /** Every AUTH a client attempted (the receiver accepts any), with whether the session was encrypted. */
  authAttempts: Array<{ username: string; secure: boolean }>;
  /** Resolves when at least `count` messages matching the predicate arrived. */
  waitFor(count: number, predicate?: (m: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail[]>;
  start(): Promise<void>;
  /** Stops listening and drops open connections (an outage). */
  stop(): Promise<void>;
}

function decodeQuotedPrintable(body: string): Buffer {
  const bytes: number[] = [];
  const text = body.replace(/=\r?\n/g, '');
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '=' && /^[0-9A-F]{2}$/i.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(c, 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([QB])\?([^?]*)\?=/gi, (_, _charset: string, enc: string, data: string) =>
      (enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64') : decodeQuotedPrintable(data.replace(/_/g, ' '))).toString('utf8'),
    );
}

function splitHeaders(raw: string): { headers: Map<string, string>; body: string } {
  const end = raw.search(/\r?\n\r?\n/);
  const head = end === -1 ? raw : raw.slice(0, end);
  const body = end === -1 ? '' : raw.slice(end).replace(/^\r?\n\r?\n/, '');
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function decodeBody(headers: Map<string, string>, body: string): string {
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body).toString('utf8');
  return body;
}

/** The text/plain and text/html parts of a (possibly multipart) message. */
function parts(headers: Map<string, string>, body: string): { text: string; html: string } {
  const type = headers.get('content-type') ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (type.toLowerCase().startsWith('multipart/') && boundary) {
    const out = { text: '', html: '' };
    for (const chunk of body.split(`--${boundary}`).slice(1)) {
      if (chunk.startsWith('--')) break;
      const part = splitHeaders(chunk.replace(/^\r?\n/, ''));
      const inner = parts(part.headers, part.body.replace(/\r?\n$/, ''));
      out.text ||= inner.text;
      out.html ||= inner.html;
    }
    return out;
  }
  const decoded = decodeBody(headers, body).replace(/\r\n/g, '\n');
  return type.toLowerCase().startsWith('text/html') ? { text: '', html: decoded } : { text: decoded, html: '' };
}

export function parseMail(raw: string, envelopeFrom = '', envelopeTo: string[] = []): ReceivedMail {
  const { headers, body } = splitHeaders(raw);
  const { text, html } = parts(headers, body);
  return {
    envelopeFrom,
    envelopeTo,
    headers,
    subject: decodeWords(headers.get('subject') ?? ''),
    messageId: headers.get('message-id') ?? '',
    varcoId: headers.get('x-varco-message-id') ?? '',
    text,
    html,
    raw,
    secure: false,
  };
}

export interface SmtpReceiverOptions {
  port?: number;
  /** false: create it stopped (an SMTP server that is down), start() later. */
  listen?: boolean;
  /** Answer each message only after this long, to keep deliveries in flight. */
  delayMs?: number;
  /** Recipients refused with 550 at RCPT TO. */
  refuse?: (address: string) => boolean;
  /** Every sender refused at MAIL FROM with this reply (a relay's misconfiguration: 530 authentication required, 553 not allowed to relay). */
  refuseSender?: { code: number; text: string };
  /** Offer AUTH (any user and password is accepted and recorded in authAttempts), even without TLS. */
  auth?: boolean;
  /** Offer STARTTLS with this certificate (or, with `implicitTls`, speak TLS from the first byte). */
  tls?: { cert: string; key: string };
  implicitTls?: boolean;
}

export async function startSmtpReceiver(options: SmtpReceiverOptions = {}): Promise<SmtpReceiver> {
  const port = options.port ?? (await freePort());
  const messages: ReceivedMail[] = [];
  const authAttempts: SmtpReceiver['authAttempts'] = [];
  const waiters = new Set<() => void>();
  let server: SMTPServer | undefined;

  const start = (): Promise<void> =>
    new Promise((done, fail) => {
      // By default no STARTTLS (nodemailer would upgrade and then refuse an unknown certificate) and no AUTH.
      const disabledCommands = [...(options.tls ? [] : ['STARTTLS']), ...(options.auth ? [] : ['AUTH'])];
      server = new SMTPServer({
        disabledCommands,
        hideSTARTTLS: !options.tls,
        authOptional: true,
        logger: false,
        // stop() is an outage: open connections are dropped (421) at once, not after the default 30 s.
        closeTimeout: 100,
        banner: 'varco test receiver',
        ...(options.tls ? { key: options.tls.key, cert: options.tls.cert, secure: options.implicitTls === true } : {}),
        // Offered over a plain connection too: a client that sends credentials in clear is seen doing it.
        ...(options.auth ? { authMethods: ['PLAIN', 'LOGIN'], allowInsecureAuth: true } : {}),
        onAuth(auth, session, callback) {
          authAttempts.push({ username: auth.username ?? '', secure: session.secure === true });
          callback(null, { user: auth.username });
        },
        onMailFrom(_address, _session, callback) {
          if (options.refuseSender) return callback(Object.assign(new Error(options.refuseSender.text), { responseCode: options.refuseSender.code }));
          callback();
        },
        onRcptTo(address, _session, callback) {
          if (options.refuse?.(address.address)) {
            const error = Object.assign(new Error('mailbox unavailable'), { responseCode: 550 });
            return callback(error);
          }
          callback();
        },
        onData(stream, session, callback) {
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('end', () => {
            const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
            messages.push({
              ...parseMail(
                Buffer.concat(chunks).toString('utf8'),
                from,
                session.envelope.rcptTo.map((r) => r.address),
              ),
              secure: session.secure === true,
            });
            const answer = (): void => {
              for (const w of waiters) w();
              callback(null, 'queued');
            };
            if (options.delayMs) setTimeout(answer, options.delayMs);
            else answer();
          });
        },
      });
      const current = server;
      current.once('error', fail);
      current.listen(port, '127.0.0.1', () => {
        current.off('error', fail);
        // A client that dies mid-session (a killed worker) resets its connection: not the receiver's failure.
        current.on('error', () => undefined);
        done();
      });
    });

  const stop = (): Promise<void> =>
    new Promise((done) => {
      const current = server;
      server = undefined;
      if (!current) return done();
      current.close(() => done());
    });

  if (options.listen !== false) await start();
  after(() => stop());

  const waitFor = (count: number, predicate: (m: ReceivedMail) => boolean = () => true, timeoutMs = 15_000): Promise<ReceivedMail[]> =>
    new Promise((done, fail) => {
      const check = (): void => {
        const found = messages.filter(predicate);
        if (found.length >= count) finish(undefined, found);
      };
      const timer = setTimeout(
        () => finish(new Error(`only ${messages.filter(predicate).length} of ${count} e-mails arrived within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const finish = (error?: Error, found?: ReceivedMail[]): void => {
        clearTimeout(timer);
        waiters.delete(check);
        if (error) fail(error);
        else done(found ?? []);
      };
      waiters.add(check);
      check();
    });

  const url = `${options.implicitTls ? 'smtps' : 'smtp'}://127.0.0.1:${port}`;
  return { port, url, env: { VARCO_SMTP_URL: url, VARCO_SMTP_REQUIRE_TLS: options.tls ? 'true' : 'false' }, messages, authAttempts, waitFor, start, stop };
}
