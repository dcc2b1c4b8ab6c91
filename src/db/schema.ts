import type { ColumnType, Generated } from 'kysely';

// Table types for Kysely. Each module owns its tables (see docs/adr/0001); the types live here so
// the database layer can be typed without modules importing each other's repositories.

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json = ColumnType<unknown, string, string>;

export interface UsersTable {
  id: string;
  kind: 'admin' | 'referent';
  email: string;
  password_hash: string | null;
  first_name: string | null;
  last_name: string | null;
  locale: ColumnType<'en' | 'it', 'en' | 'it' | undefined, 'en' | 'it'>;
  created_at: DefaultTimestamp;
  disabled_at: Timestamp | null;
}

export interface SessionsTable {
  token_hash: string;
  id: string;
  user_id: string;
  surface: 'admin' | 'portal';
  csrf_token: string;
  ip: string | null;
  user_agent: string | null;
  created_at: DefaultTimestamp;
  last_seen_at: DefaultTimestamp;
  expires_at: Timestamp;
}

export interface SigninThrottleTable {
  key: string;
  failures: number;
  window_started_at: Timestamp;
  locked_until: Timestamp | null;
}

export interface SetupTokensTable {
  token_hash: string;
  created_at: DefaultTimestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export interface AuditLogTable {
  seq: Generated<number>;
  id: string;
  at: Timestamp;
  actor_type: string;
  actor_id: string | null;
  action: string;
  subject_type: string | null;
  subject_id: string | null;
  organisation_id: string | null;
  ip: string | null;
  details: Json;
  prev_hash: string;
  hash: string;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  signin_throttle: SigninThrottleTable;
  setup_tokens: SetupTokensTable;
  audit_log: AuditLogTable;
}
