import { readFileSync } from 'node:fs';
import type { Transporter } from 'nodemailer';
import { smtpParameterRefusal } from '../../config/config.ts';

// The one SMTP client (nodemailer over VARCO_SMTP_URL). Pooled, so a burst of notices reuses a few
// connections; timeouts well under the outbox lease, so a hung server fails the attempt instead of
// holding the message. nodemailer (~40 modules) is loaded on the first send or check, not at start-up
// (issue 15, target 3): a process without VARCO_SMTP_URL never loads it.

export interface MailMessage {
  /** The outbox id: the Message-ID header, identical on every retry so duplicates are recognisable. */
  messageId: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export type SendResult = { ok: true } | { ok: false; error: string; permanent: boolean; statusCode?: number };

export interface Mailer {
  /**
   * `signal` (the worker's cut-off): a send still waiting for one of the pool's connections is dropped
   * and never reaches the server; one under way has its connection closed. Without it, e-mails queued
   * behind a slow relay were sent after their attempt was recorded failed, then again by the retry.
   */
  send(message: MailMessage, signal?: AbortSignal): Promise<SendResult>;
  /** Connects, greets and (when required) starts TLS and authenticates, without sending: `varco doctor`. Resolves to an error text, or undefined when fine. */
  verify(): Promise<string | undefined>;
  close(): void;
}

export interface SmtpMailerOptions {
  /** smtp:// or smtps:// URL, with optional credentials and `tls.ca` / `tls.servername` parameters (e.g. ?tls.servername=mail.example.org). */
  url: string;
  from: string;
  /**
   * VARCO_SMTP_REQUIRE_TLS: send nothing over a connection without TLS (smtps, or smtp with
   * STARTTLS). Whatever it says, credentials are never sent without TLS.
   */
  requireTls: boolean;
  /** Extra CA certificates (PEM) the SMTP server's certificate may chain to; tests use their own CA. */
  ca?: string;
  timeoutMs?: number;
}

interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  command?: string;
}

/** The domain of the From address, for Message-IDs (`<msg_…@domain>`). */
export function mailDomain(from: string): string {
  const match = /@([^>\s]+)>?\s*$/.exec(from);
  return match?.[1] ?? 'varco.localhost';
}

export interface SmtpConnection {
  host: string;
  port: number;
  /** smtps: TLS from the first byte. */
  secure: boolean;
  /** Upgrade with STARTTLS or fail; never continue in clear. */
  requireTLS: boolean;
  ignoreTLS: false;
  auth?: { user: string; pass: string };
  tls: Record<string, string>;
}

/**
 * The connection options of an SMTP URL, parsed here rather than by nodemailer: nodemailer lets the
 * URL's query override any option (`?ignoreTLS=true`, `?secure=false`), which would let the URL undo
 * the TLS rule. Only `tls.ca` and `tls.servername` are taken from the query: nothing that turns the
 * certificate check off or lowers the TLS version (nineteenth session).
 * TLS is required when VARCO_SMTP_REQUIRE_TLS says so and, in any case, when there are credentials:
 * nodemailer would otherwise send AUTH in clear to a server that does not offer STARTTLS.
 */
export function smtpConnection(url: string, requireTls: boolean): SmtpConnection {
  const parsed = new URL(url);
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') throw new Error(`SMTP URL must use smtp: or smtps:, not ${parsed.protocol}`);
  const secure = parsed.protocol === 'smtps:';
  const auth = parsed.username === '' ? undefined : { user: decodeURIComponent(parsed.username), pass: decodeURIComponent(parsed.password) };
  const tls: Record<string, string> = { minVersion: 'TLSv1.2' };
  for (const [name, value] of parsed.searchParams) {
    const refusal = smtpParameterRefusal(name);
    if (refusal !== undefined) throw new Error(`SMTP URL ${refusal}`);
    tls[name.slice(4)] = value;
  }
  // `tls.ca` names the PEM file of a private CA (the relay's own); PEM text itself is taken as it is.
  if (tls.ca !== undefined && !tls.ca.startsWith('-----BEGIN')) tls.ca = readFileSync(tls.ca, 'utf8');
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: Number(parsed.port || (secure ? 465 : 587)),
    secure,
    requireTLS: requireTls || auth !== undefined,
    ignoreTLS: false,
    ...(auth ? { auth } : {}),
    tls,
  };
}

/** A failure to get TLS reads as the rule it enforces, not as a bare nodemailer code. */
function tlsRefusal(e: SmtpError, connection: SmtpConnection): string | undefined {
  if (connection.secure || !connection.requireTLS || !['ETLS', 'ECONNECTION'].includes(e.code ?? '') || !/TLS/i.test(e.message)) return undefined;
  const why = connection.auth ? 'credentials are sent only over TLS' : 'VARCO_SMTP_REQUIRE_TLS is true';
  return `the SMTP server offers no usable STARTTLS and ${why}, so nothing was sent (${e.message.replace(/\s+/g, ' ').slice(0, 200)})`;
}

export function createSmtpMailer(options: SmtpMailerOptions): Mailer {
  const timeout = options.timeoutMs ?? 20_000;
  const connection = smtpConnection(options.url, options.requireTls);
  if (options.ca) connection.tls.ca = options.ca;
  let transport: Promise<Transporter> | undefined;
  let closed = false;
  const connect = (): Promise<Transporter> => {
    transport ??= import('nodemailer').then(({ default: nodemailer }) =>
      nodemailer.createTransport({
        ...connection,
        pool: true,
        maxConnections: 5,
        maxMessages: 100,
        connectionTimeout: timeout,
        greetingTimeout: timeout,
        socketTimeout: timeout,
      }),
    );
    return transport;
  };
  const domain = mailDomain(options.from);
  return {
    send: async (message, signal) => {
      try {
        if (closed) throw new Error('the mailer is closed');
        const transporter = await connect();
        // nodemailer's pool takes the signal (supportsAbortSignal): aborted, a queued send is taken out of
        // its queue, an assigned one has its connection closed (nineteenth session).
        await transporter.sendMail({
          ...(signal ? { signal } : {}),
          from: options.from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          html: message.html,
          messageId: `<${message.messageId}@${domain}>`,
          headers: { 'X-Varco-Message-Id': message.messageId },
        });
        return { ok: true };
      } catch (error) {
        const e = error as SmtpError;
        // Only a recipient refused with a 5xx reply at RCPT TO is final (each message has one recipient). A
        // 5xx elsewhere — failed authentication, or the sender refused at MAIL FROM (530, 550, 553) or DATA
        // refused, which nodemailer also reports as EENVELOPE (e.command says where) — is the relay's
        // configuration an operator can fix, so those messages keep being retried (nineteenth session).
        const permanent = e.code === 'EENVELOPE' && e.command === 'RCPT TO' && typeof e.responseCode === 'number' && e.responseCode >= 500;
        const detail = (tlsRefusal(e, connection) ?? `${e.code ? `${e.code}: ` : ''}${e.message}`).replace(/\s+/g, ' ').slice(0, 500);
        return { ok: false, error: detail, permanent, ...(typeof e.responseCode === 'number' ? { statusCode: e.responseCode } : {}) };
      }
    },
    verify: async () => {
      try {
        if (closed) throw new Error('the mailer is closed');
        await (await connect()).verify();
        return undefined;
      } catch (error) {
        const e = error as SmtpError;
        return (tlsRefusal(e, connection) ?? `${e.code ? `${e.code}: ` : ''}${e.message}`).replace(/\s+/g, ' ').slice(0, 500);
      }
    },
    close: () => {
      closed = true;
      void transport?.then((made) => made.close()).catch(() => undefined);
    },
  };
}
