import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, configurationTable, ConfigError, splitDatabaseUrl } from './index.ts';

test('defaults give a runnable embedded configuration', () => {
  const config = loadConfig({}, '/srv/varco');
  assert.equal(config.port, 8443);
  assert.equal(config.dataDir, '/srv/varco/data');
  assert.equal(config.databaseUrl, undefined);
  assert.equal(config.publicUrl, 'https://localhost:8443');
  assert.deepEqual(config.hostNames, ['localhost']);
  assert.equal(config.tls, undefined);
});

test('the default public URL is the first host name with the port, an IPv6 address in brackets', () => {
  assert.equal(loadConfig({ VARCO_HOSTNAMES: 'varco.example.org,localhost', VARCO_PORT: '9443' }, '/tmp').publicUrl, 'https://varco.example.org:9443');
  assert.equal(loadConfig({ VARCO_HOSTNAMES: '127.0.0.1' }, '/tmp').publicUrl, 'https://127.0.0.1:8443');
  const v6 = loadConfig({ VARCO_HOSTNAMES: '::1,localhost', VARCO_PORT: '8443' }, '/tmp').publicUrl;
  assert.equal(v6, 'https://[::1]:8443');
  assert.equal(new URL(`${v6}/admin/setup`).hostname, '[::1]');
});

test('an invalid value stops with a message naming the setting', () => {
  const cases: Array<[Record<string, string>, string]> = [
    [{ VARCO_PORT: 'eighty' }, 'VARCO_PORT'],
    [{ VARCO_PORT: '70000' }, 'VARCO_PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ VARCO_LOG_LEVEL: 'loud' }, 'VARCO_LOG_LEVEL'],
    [{ VARCO_TLS_CERT: 'a.pem' }, 'VARCO_TLS_KEY'],
    [{ VARCO_HOSTNAMES: 'ok.example,bad host' }, 'VARCO_HOSTNAMES'],
    [{ VARCO_OUTBOUND_ALLOW_CIDRS: '127.0.0.0/8,10.0.0.0/33' }, 'VARCO_OUTBOUND_ALLOW_CIDRS'],
    [{ VARCO_TRUSTED_PROXIES: 'proxy.example' }, 'VARCO_TRUSTED_PROXIES'],
    [{ VARCO_METRICS_TOKEN: 'short' }, 'VARCO_METRICS_TOKEN'],
    // Alone it was ignored: the embedded cluster started instead of the operator's PostgreSQL.
    [{ VARCO_DATABASE_OWNER_URL: 'postgres://owner@db.example/varco' }, 'VARCO_DATABASE_OWNER_URL'],
  ];
  for (const [env, setting] of cases) {
    assert.throws(
      () => loadConfig(env),
      (error: unknown) => error instanceof ConfigError && error.setting === setting && error.message.includes(setting),
      JSON.stringify(env),
    );
  }
});

test('address lists are parsed by ipaddr.js and normalised; empty by default', () => {
  assert.deepEqual(loadConfig({}).outboundAllowCidrs, []);
  assert.deepEqual(loadConfig({}).trustedProxies, []);
  const config = loadConfig({ VARCO_OUTBOUND_ALLOW_CIDRS: '127.0.0.0/8, ::1', VARCO_TRUSTED_PROXIES: '10.1.2.3,fd00::/8' });
  assert.deepEqual(config.outboundAllowCidrs, ['127.0.0.0/8', '::1/128']);
  assert.deepEqual(config.trustedProxies, ['10.1.2.3/32', 'fd00::/8']);
});

test('the config file is read and environment variables win over it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'varco-config-'));
  const file = join(dir, 'varco.json');
  await writeFile(file, JSON.stringify({ VARCO_PORT: 9443, VARCO_LOG_LEVEL: 'debug' }));
  const config = loadConfig({ VARCO_CONFIG: file, VARCO_LOG_LEVEL: 'warn' });
  assert.equal(config.port, 9443);
  assert.equal(config.logLevel, 'warn');
  await writeFile(file, JSON.stringify({ VARCO_PROT: 1 }));
  assert.throws(() => loadConfig({ VARCO_CONFIG: file }), /VARCO_PROT is not a known setting/);
  await writeFile(file, '{not json');
  assert.throws(() => loadConfig({ VARCO_CONFIG: file }), /VARCO_CONFIG is not valid JSON/);
});

test('the README configuration table is the one the settings produce', async () => {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  assert.ok(readme.includes(configurationTable()), 'README table is stale: paste the output of `npx varco config table`');
});

test('DATABASE_URL may name several hosts (primary, standby) with target_session_attrs; each host is checked', () => {
  const url = 'postgres://app:s%40cret@db-a.example:5432,db-b.example:6432/varco?target_session_attrs=read-write&sslmode=require';
  assert.equal(loadConfig({ DATABASE_URL: url }).databaseUrl, url);
  assert.deepEqual(splitDatabaseUrl(url), {
    urls: ['postgres://app:s%40cret@db-a.example:5432/varco?sslmode=require', 'postgres://app:s%40cret@db-b.example:6432/varco?sslmode=require'],
    readWrite: true,
  });
  assert.equal(splitDatabaseUrl('postgres://app@one/varco')?.readWrite, false);
  assert.throws(
    () => loadConfig({ DATABASE_URL: 'postgres://app@db-a:5432,db-b:port/varco' }),
    (error: unknown) => error instanceof ConfigError && error.setting === 'DATABASE_URL',
  );
});
