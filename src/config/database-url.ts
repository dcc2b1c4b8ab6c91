// PostgreSQL connection strings with several hosts, as libpq writes them:
//   postgres://user:pw@primary:5432,standby:5432/varco?target_session_attrs=read-write
// node-postgres (and WHATWG URL) accept one host only, so Varco splits such a string into one URL per
// host, in order, and does the host choice itself (src/db/failover.ts, docs/adr/0033-database-failover.md).

export interface DatabaseUrlHosts {
  /** One single-host URL per host, in the order given; target_session_attrs removed. */
  urls: string[];
  /** target_session_attrs=read-write (or primary): only a server that accepts writes will do. */
  readWrite: boolean;
}

const SHAPE = /^(postgres(?:ql)?:\/\/)(?:([^@/?#]*)@)?([^/?#]*)(.*)$/;

/** Splits a (possibly multi-host) PostgreSQL URL; undefined when it is not a postgres:// URL. */
export function splitDatabaseUrl(url: string): DatabaseUrlHosts | undefined {
  const match = SHAPE.exec(url);
  if (!match) return undefined;
  const [, scheme = '', userinfo, hostList = '', rest = ''] = match;
  const [pathPart = '', query = ''] = rest.split(/\?(.*)/s);
  const params = new URLSearchParams(query);
  const attrs = params.get('target_session_attrs');
  params.delete('target_session_attrs');
  const tail = `${pathPart}${params.size > 0 ? `?${params.toString()}` : ''}`;
  const prefix = `${scheme}${userinfo === undefined ? '' : `${userinfo}@`}`;
  const hosts = hostList.split(',');
  return { urls: hosts.map((host) => `${prefix}${host}${tail}`), readWrite: attrs === 'read-write' || attrs === 'primary' };
}

/** The hosts of a database URL as `host:port` for messages (never the password). */
export function describeDatabaseHosts(url: string): string {
  const split = splitDatabaseUrl(url);
  if (!split) return '?';
  return split.urls
    .map((one) => {
      try {
        const parsed = new URL(one);
        return `${parsed.hostname}:${parsed.port || '5432'}`;
      } catch {
        return '?';
      }
    })
    .join(',');
}
