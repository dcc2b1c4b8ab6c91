// Errors that mean PostgreSQL cannot be reached right now — a restart, a failover, an overload, or the
// embedded cluster stopping with the server (Ctrl-C signals both) — as opposed to a bug: every surface
// answers them 503 with Retry-After instead of 500.

const DATABASE_DOWN_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '53300',
]);

/** True for errors that mean PostgreSQL cannot be reached right now (restart, failover, overload). */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { code?: unknown; message?: unknown };
  if (typeof e.code === 'string' && DATABASE_DOWN_CODES.has(e.code)) return true;
  const message = typeof e.message === 'string' ? e.message : '';
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|the database system is (starting up|shutting down)|is not currently accepting connections/.test(
    message,
  );
}
