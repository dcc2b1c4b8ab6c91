import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import { newId } from '../../kernel/ids.ts';
import { randomToken, sha256Hex } from '../../kernel/crypto.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Surface } from './identity.repository.ts';

// Server-side sessions: the cookie holds a random token, the table only its SHA-256.

export interface SessionView {
  id: string;
  userId: string;
  surface: Surface;
  csrfToken: string;
  email: string;
  kind: 'admin' | 'referent';
  locale: 'en' | 'it';
  firstName: string | null;
  lastName: string | null;
  /** The referent's organisation (null for administrators): every portal query is scoped by it. */
  organisationId: string | null;
  /**
   * Set when this read renewed the idle expiry: the seconds until the new expiry, the Max-Age the
   * cookie is sent again with, so the browser keeps it exactly as long as the server keeps the session.
   */
  renewedForSeconds?: number;
}

// Refresh last_seen/expiry at most once a minute, so reading pages does not write on every request.
const TOUCH_INTERVAL_MS = 60_000;

/** Idle lifetime (renewed by activity) and absolute lifetime (from sign-in, however active). */
export interface SessionLifetime {
  idleMinutes: number;
  absoluteHours: number;
}

/** A stolen cookie stays useful at most absoluteHours: activity renews the idle expiry, never past that. */
export function sessionExpiry(createdAt: Date, now: Date, lifetime: SessionLifetime): Date {
  const idle = now.getTime() + lifetime.idleMinutes * 60_000;
  const absolute = createdAt.getTime() + lifetime.absoluteHours * 3600_000;
  return new Date(Math.min(idle, absolute));
}

export async function createSession(
  db: Kysely<Database>,
  clock: Clock,
  input: {
    userId: string;
    surface: Surface;
    ip: string | null;
    userAgent: string | null;
    lifetime: SessionLifetime;
  },
): Promise<{ token: string; id: string; csrfToken: string }> {
  const token = randomToken(32);
  const id = newId('ses');
  const csrfToken = randomToken(24);
  const now = clock.now();
  await db
    .insertInto('sessions')
    .values({
      token_hash: sha256Hex(token),
      id,
      user_id: input.userId,
      surface: input.surface,
      csrf_token: csrfToken,
      ip: input.ip,
      user_agent: input.userAgent?.slice(0, 300) ?? null,
      created_at: now,
      last_seen_at: now,
      expires_at: sessionExpiry(now, now, input.lifetime),
    })
    .execute();
  return { token, id, csrfToken };
}

export async function readSession(
  db: Kysely<Database>,
  clock: Clock,
  token: string,
  surface: Surface,
  lifetime: SessionLifetime,
): Promise<SessionView | undefined> {
  const now = clock.now();
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([
      'sessions.id',
      'sessions.user_id',
      'sessions.surface',
      'sessions.csrf_token',
      'sessions.created_at',
      'sessions.last_seen_at',
      'sessions.expires_at',
      'users.email',
      'users.kind',
      'users.locale',
      'users.disabled_at',
      'users.first_name',
      'users.last_name',
      'users.organisation_id',
    ])
    .where('sessions.token_hash', '=', sha256Hex(token))
    .where('sessions.surface', '=', surface)
    .executeTakeFirst();
  if (!row || row.disabled_at !== null) return undefined;
  // The absolute end is computed from created_at with today's setting, so lowering it applies to existing sessions.
  const absoluteEnd = row.created_at.getTime() + lifetime.absoluteHours * 3600_000;
  if (Math.min(row.expires_at.getTime(), absoluteEnd) <= now.getTime()) return undefined;
  let renewedForSeconds: number | undefined;
  if (now.getTime() - row.last_seen_at.getTime() > TOUCH_INTERVAL_MS) {
    const expiresAt = sessionExpiry(row.created_at, now, lifetime);
    await db.updateTable('sessions').set({ last_seen_at: now, expires_at: expiresAt }).where('id', '=', row.id).execute();
    renewedForSeconds = Math.ceil((expiresAt.getTime() - now.getTime()) / 1000);
  }
  return {
    id: row.id,
    userId: row.user_id,
    surface: row.surface,
    csrfToken: row.csrf_token,
    email: row.email,
    kind: row.kind,
    locale: row.locale,
    firstName: row.first_name,
    lastName: row.last_name,
    organisationId: row.organisation_id,
    ...(renewedForSeconds === undefined ? {} : { renewedForSeconds }),
  };
}

export async function deleteSession(db: Kysely<Database>, token: string): Promise<string | undefined> {
  const row = await db.deleteFrom('sessions').where('token_hash', '=', sha256Hex(token)).returning(['id', 'user_id']).executeTakeFirst();
  return row?.user_id;
}

/** Signs a user out everywhere: every surface, every instance (sessions live only in this table). */
export async function deleteUserSessions(db: Kysely<Database>, userId: string): Promise<number> {
  const result = await db.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function deleteExpiredSessions(db: Kysely<Database>, clock: Clock): Promise<number> {
  const result = await db.deleteFrom('sessions').where('expires_at', '<', clock.now()).executeTakeFirst();
  return Number(result.numDeletedRows);
}
