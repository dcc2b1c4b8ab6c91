import nodemailer from 'nodemailer';

// The one SMTP client (nodemailer over VARCO_SMTP_URL). Pooled, so a burst of notices reuses a few
// connections; timeouts well under the outbox lease, so a hung server fails the attempt instead of
// holding the message.

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
  send(message: MailMessage): Promise<SendResult>;
  close(): void;
}

export interface SmtpMailerOptions {
  /** smtp:// or smtps:// URL; nodemailer reads credentials and options (e.g. ?tls.rejectUnauthorized=false) from it. */
  url: string;
  from: string;
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

export function createSmtpMailer(options: SmtpMailerOptions): Mailer {
  const timeout = options.timeoutMs ?? 20_000;
  const transport = nodemailer.createTransport({ url: options.url, pool: true, maxConnections: 5, maxMessages: 100,
    connectionTimeout: timeout, greetingTimeout: timeout, socketTimeout: timeout });
  const domain = mailDomain(options.from);
  return {
    send: async (message) => {
      try {
        await transport.sendMail({ from: options.from, to: message.to, subject: message.subject, text: message.text, html: message.html,
          messageId: `<${message.messageId}@${domain}>`, headers: { 'X-Varco-Message-Id': message.messageId } });
        return { ok: true };
      } catch (error) {
        const e = error as SmtpError;
        // Only a recipient refused with a 5xx reply is final; a 5xx elsewhere (say, failed authentication)
        // is a configuration problem an operator can fix, so those messages keep being retried.
        const permanent = e.code === 'EENVELOPE' && typeof e.responseCode === 'number' && e.responseCode >= 500;
        const detail = `${e.code ? `${e.code}: ` : ''}${e.message}`.replace(/\s+/g, ' ').slice(0, 500);
        return { ok: false, error: detail, permanent, ...(typeof e.responseCode === 'number' ? { statusCode: e.responseCode } : {}) };
      }
    },
    close: () => transport.close(),
  };
}
