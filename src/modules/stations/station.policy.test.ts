import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDestinationPolicy } from '../outbound/index.ts';
import { isStationCode, reviewTransition, validateEndpoint } from './station.policy.ts';

const publicOnly = createDestinationPolicy({ allowCidrs: [], ownAddresses: [] });
const loopbackAllowed = createDestinationPolicy({ allowCidrs: ['127.0.0.0/8'], ownAddresses: [] });

test('a valid endpoint: https FQDN, IP and port', () => {
  const r = validateEndpoint({ url: 'https://PA.example.it.:8443/node', ip: ' 2001:4860:4860:0:0:0:0:8888 ', port: '8443' }, 'test', publicOnly);
  assert.deepEqual(r, { ok: true, value: { url: 'https://pa.example.it.:8443/node', fqdn: 'pa.example.it', ip: '2001:4860:4860::8888', port: 8443 } });
});

test('each invalid field names its problem', () => {
  const cases: Array<[Parameters<typeof validateEndpoint>[0], string]> = [
    [{ url: 'http://pa.example.it/node', ip: '8.8.8.8', port: 443 }, 'url_not_https'],
    [{ url: 'https://192.0.2.1/node', ip: '8.8.8.8', port: 443 }, 'fqdn_is_ip'],
    [{ url: 'https://[2001:db8::1]/node', ip: '8.8.8.8', port: 443 }, 'fqdn_is_ip'],
    [{ url: 'https://bad_host.example/node', ip: '8.8.8.8', port: 443 }, 'fqdn_invalid'],
    [{ url: 'not a url', ip: '8.8.8.8', port: 443 }, 'url_invalid'],
    [{ url: 'https://u:p@pa.example.it/', ip: '8.8.8.8', port: 443 }, 'url_has_credentials'],
    [{ url: 'https://pa.example.it/', ip: '999.1.1.1', port: 443 }, 'ip_invalid'],
    [{ url: 'https://pa.example.it/', ip: '8.8.8.8', port: '70000' }, 'port_invalid'],
    [{ url: 'https://pa.example.it/', ip: '8.8.8.8', port: '0' }, 'port_invalid'],
    [{ url: 'https://pa.example.it/', ip: '8.8.8.8', port: '44a' }, 'port_invalid'],
  ];
  for (const [input, problem] of cases) {
    const r = validateEndpoint(input, 'test', publicOnly);
    assert.ok(!r.ok && r.problems.includes(problem as never), `${JSON.stringify(input)} → ${problem}`);
  }
});

test('non-public IPs are refused in every environment, in every spelling; the operator\u2019s ranges are accepted', () => {
  const spellings = [
    '127.0.0.1',
    '127.1',
    '0x7f000001',
    '2130706433',
    '0::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::127.0.0.1',
    '::1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    'fe80::1',
    'fd00::1',
    'fec0::1',
    '100.64.0.1',
    '203.0.113.5',
    '2001:db8::1',
    '64:ff9b::7f00:1',
    '2002:7f00:1::1',
    '0.0.0.0',
    '::',
  ];
  for (const ip of spellings) {
    for (const env of ['test', 'prod'] as const) {
      const r = validateEndpoint({ url: 'https://pa.example.it/', ip, port: 443 }, env, publicOnly);
      assert.ok(!r.ok && r.problems.includes('ip_not_public'), `${env} ${ip}: ${JSON.stringify(r)}`);
    }
  }
  assert.ok(validateEndpoint({ url: 'https://pa.example.it/', ip: '127.0.0.1', port: 443 }, 'prod', loopbackAllowed).ok);
  // Allowed, but written in a spelling some parsers read differently: refused as malformed, never stored.
  const short = validateEndpoint({ url: 'https://pa.example.it/', ip: '127.1', port: 443 }, 'test', loopbackAllowed);
  assert.ok(!short.ok && short.problems.includes('ip_invalid'));
  const octal = validateEndpoint({ url: 'https://pa.example.it/', ip: '010.0.0.1', port: 443 }, 'test', publicOnly);
  assert.ok(!octal.ok && octal.problems.includes('ip_invalid'), 'octal to inet_aton, decimal to a reader: refused');
  for (const ip of ['8.8.8.8', '2001:4860::8888', '172.32.0.1'])
    assert.ok(validateEndpoint({ url: 'https://pa.example.it/', ip, port: 443 }, 'prod', publicOnly).ok, ip);
});

test('review: only a version to check can be approved or sent back', () => {
  assert.equal(reviewTransition('to_check', 'approve'), 'approved');
  assert.equal(reviewTransition('to_check', 'request_changes'), 'to_fix');
  for (const from of ['to_fix', 'approved', 'superseded'] as const) {
    assert.equal(reviewTransition(from, 'approve'), undefined);
    assert.equal(reviewTransition(from, 'request_changes'), undefined);
  }
});

test('station codes', () => {
  assert.ok(isStationCode('15376371009_01'));
  assert.ok(!isStationCode('a'));
  assert.ok(!isStationCode('has space'));
  assert.ok(!isStationCode('x'.repeat(41)));
});

test('localhost is a valid FQDN only in test', () => {
  assert.ok(validateEndpoint({ url: 'https://localhost:8443/x', ip: '127.0.0.1', port: 8443 }, 'test', loopbackAllowed).ok);
  const prod = validateEndpoint({ url: 'https://localhost:8443/x', ip: '8.8.8.8', port: 8443 }, 'prod', publicOnly);
  assert.ok(!prod.ok && prod.problems.includes('fqdn_invalid'));
});
