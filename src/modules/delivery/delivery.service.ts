import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import { isId } from '../../kernel/ids.ts';
import { parseEmailPayload, type EmailPayload } from './mail.templates.ts';
import { selectEmail, selectEmails, type AttemptRow, type EmailListRow, type EmailSearch } from './outbox.repository.ts';

// Read side of the outbox for the back office's Mail page: without SMTP configured it is where an
// administrator reads what Varco would have sent (for instance a first invitation link).

export interface EmailView extends Omit<EmailListRow, 'payload'> {
  /** Undefined only for a row this version cannot read (never written by enqueueEmail). */
  email: EmailPayload | undefined;
}

export interface DeliveryService {
  /** Whether an SMTP server is configured; when not, e-mails stay pending here. */
  readonly sending: boolean;
  /** Newest first; `search` narrows by recipient and state and pages with `beforeId`. */
  listEmails(options?: { limit?: number } & EmailSearch): Promise<EmailView[]>;
  getEmail(id: string): Promise<(EmailView & { attemptLog: AttemptRow[] }) | undefined>;
}

function view<T extends EmailListRow>(row: T): Omit<T, 'payload'> & { email: EmailPayload | undefined } {
  const { payload, ...rest } = row;
  let email: EmailPayload | undefined;
  try {
    email = parseEmailPayload(payload);
  } catch {
    email = undefined;
  }
  return { ...rest, email };
}

export function listEmails(db: Kysely<Database>, options: { limit?: number } & EmailSearch = {}): Promise<EmailView[]> {
  const { limit: asked, ...search } = options;
  const limit = Math.min(Math.max(asked ?? 100, 1), 500);
  return selectEmails(db, limit, search).then((rows) => rows.map(view));
}

export async function getEmail(db: Kysely<Database>, id: string): Promise<(EmailView & { attemptLog: AttemptRow[] }) | undefined> {
  if (!isId(id, 'msg')) return undefined;
  const row = await selectEmail(db, id);
  return row ? view(row) : undefined;
}

export function createDeliveryService(options: { db: Kysely<Database>; sending: boolean }): DeliveryService {
  const { db, sending } = options;
  return { sending, listEmails: (o) => listEmails(db, o), getEmail: (id) => getEmail(db, id) };
}
