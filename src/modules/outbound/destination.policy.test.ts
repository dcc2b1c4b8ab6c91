import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lookup } from 'node:dns/promises';
import fc from 'fast-check';
import { createDestinationPolicy, describeRefusal, JUDGED_KEPT, JUDGED_LENGTH, ownInterfaceAddresses, type DestinationRefusal } from './destination.policy.ts';

// The destination policy alone: a table of spellings, then properties over generated addresses.
// No allowlist unless a case says so, and no own addresses unless told, so only the ranges decide.

const strict = createDestinationPolicy({ allowCidrs: [], ownAddresses: [] });
const refusalOf = (text: string, policy = strict): DestinationRefusal | 'allowed' => {
  const verdict = policy.judge(text);
  return verdict.allowed ? 'allowed' : verdict.refusal;
};
const hex = (n: number): string => n.toString(16);
/** `a.b.c.d` → the two 16-bit groups an IPv6 spelling carries it in. */
const groups = (v4: string): [string, string] => {
  const [a = 0, b = 0, c = 0, d = 0] = v4.split('.').map(Number);
  return [hex((a << 8) | b), hex((c << 8) | d)];
};

describe('destination policy: spellings', () => {
  it('refuses every non-public address, in every spelling, naming its range', () => {
    const table: Array<[string, DestinationRefusal]> = [
      ['127.0.0.1', 'loopback'],
      ['127.1', 'loopback'],
      ['0x7f000001', 'loopback'],
      ['2130706433', 'loopback'],
      ['0177.0.0.1', 'loopback'],
      ['0x7f.0.0.1', 'loopback'],
      ['::1', 'loopback'],
      ['0:0:0:0:0:0:0:1', 'loopback'],
      ['0::ffff:127.0.0.1', 'ipv4_mapped'],
      ['::ffff:7f00:1', 'ipv4_mapped'],
      ['0:0:0:0:0:FFFF:7F00:0001', 'ipv4_mapped'],
      ['::ffff:8.8.8.8', 'ipv4_mapped'],
      // ipaddr.js reads the deprecated `::a.b.c.d` as mapped; it is IPv4-compatible: refused either way.
      ['::127.0.0.1', 'ipv4_mapped'],
      ['::7f00:1', 'ipv4_compatible'],
      ['::808:808', 'ipv4_compatible'],
      ['10.0.0.1', 'private'],
      ['172.31.255.255', 'private'],
      ['192.168.1.1', 'private'],
      ['169.254.169.254', 'link_local'],
      ['100.64.0.1', 'cgnat'],
      ['100.127.255.254', 'cgnat'],
      ['0.0.0.0', 'unspecified'],
      ['0.1.2.3', 'unspecified'],
      ['::', 'unspecified'],
      ['192.0.2.1', 'documentation'],
      ['198.51.100.7', 'documentation'],
      ['203.0.113.9', 'documentation'],
      ['2001:db8::1', 'documentation'],
      ['3fff::1', 'documentation'],
      ['198.18.0.1', 'benchmarking'],
      ['198.19.255.255', 'benchmarking'],
      ['2001:2::1', 'benchmarking'],
      ['224.0.0.1', 'multicast'],
      ['239.255.255.250', 'multicast'],
      ['ff02::1', 'multicast'],
      ['255.255.255.255', 'broadcast'],
      ['240.0.0.1', 'reserved'],
      ['192.0.0.8', 'reserved'],
      ['192.88.99.1', 'reserved'],
      ['4000::1', 'reserved'],
      ['2001:20::1', 'reserved'],
      ['fd00::1', 'unique_local'],
      ['fc00::1', 'unique_local'],
      ['fe80::1', 'link_local'],
      ['fe80::1%eth0', 'link_local'],
      ['fec0::1', 'site_local'],
      ['64:ff9b::7f00:1', 'nat64'],
      ['64:ff9b::8.8.8.8', 'nat64'],
      ['64:ff9b:1::1', 'nat64'],
      ['2002:7f00:1::1', 'six_to_four'],
      ['2002:c0a8:101::', 'six_to_four'],
      ['2001::1', 'teredo'],
      ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'teredo'],
      ['100::1', 'discard'],
      ['not-an-ip', 'invalid'],
      ['999.1.1.1', 'invalid'],
      ['[::1]', 'invalid'],
      ['', 'invalid'],
      ['localhost', 'invalid'],
    ];
    for (const [text, refusal] of table) assert.equal(refusalOf(text), refusal, text);
  });

  it('allows public addresses and gives the canonical address to connect to', () => {
    for (const text of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2001:4860:4860::8888', '2002:808:808::1', '2a00:1450:4001:80b::200e']) {
      assert.deepEqual(strict.judge(text), { allowed: true, address: text, via: 'public' }, text);
    }
    assert.deepEqual(strict.judge(' 2001:4860:4860:0:0:0:0:8888 '), { allowed: true, address: '2001:4860:4860::8888', via: 'public' });
  });

  it('lets the operator allow ranges: exactly those, and never an IPv4-mapped spelling of them', () => {
    const dev = createDestinationPolicy({ allowCidrs: ['127.0.0.0/8'], ownAddresses: ['127.0.0.1'] });
    assert.deepEqual(dev.judge('127.0.0.1'), { allowed: true, address: '127.0.0.1', via: 'allowlist' });
    assert.deepEqual(dev.judge('127.1'), { allowed: true, address: '127.0.0.1', via: 'allowlist' }, 'the address connected to is canonical');
    for (const text of ['::ffff:127.0.0.1', '::1', '10.0.0.1', '2002:7f00:1::1']) assert.equal(dev.judge(text).allowed, false, text);
  });

  it("refuses Varco's own addresses, read from the network interfaces by default", () => {
    const policy = createDestinationPolicy({ allowCidrs: [], ownAddresses: ['9.9.9.9', '2001:4860::1'] });
    assert.equal(refusalOf('9.9.9.9', policy), 'own_address');
    assert.equal(refusalOf('2001:4860:0:0::1', policy), 'own_address', 'whatever the spelling');
    assert.equal(refusalOf('9.9.9.10', policy), 'allowed');
    const interfaces = ownInterfaceAddresses();
    assert.ok(interfaces.includes('127.0.0.1'));
    const byDefault = createDestinationPolicy({ allowCidrs: [] });
    for (const address of interfaces) assert.equal(byDefault.judge(address).allowed, false, address);
  });

  it('says what was refused and how an operator allows it', () => {
    const verdict = strict.judge('0x7f000001');
    assert.ok(!verdict.allowed);
    assert.equal(
      describeRefusal(verdict),
      '127.0.0.1 is a loopback address: Varco connects only to public addresses (an operator may allow ranges with VARCO_OUTBOUND_ALLOW_CIDRS)',
    );
    // Of a host name's address, one sentence too (not "localhost resolves to 127.0.0.1 is a …").
    assert.equal(
      describeRefusal(verdict, 'localhost'),
      'localhost resolves to 127.0.0.1, which is a loopback address: Varco connects only to public addresses (an operator may allow ranges with VARCO_OUTBOUND_ALLOW_CIDRS)',
    );
    const invalid = strict.judge('not-an-address');
    assert.ok(!invalid.allowed);
    assert.equal(describeRefusal(invalid, 'shop.example'), 'shop.example resolves to "not-an-address", which is not an IP address');
  });
});

describe('destination policy: properties', () => {
  it('never throws, and text that is no address is refused as invalid', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const verdict = strict.judge(text);
        assert.ok(verdict.allowed || typeof verdict.refusal === 'string');
      }),
    );
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom('g', 'z', '-', '_', '/', ' ') }), (text) => assert.equal(refusalOf(text), 'invalid')));
  });

  it('reads every IPv4 spelling as the system resolver (and so a connection) would', async () => {
    // inet_aton forms: 1 to 4 parts, each decimal, octal or hex. A difference would let a spelling
    // pass the check and reach another address.
    await fc.assert(
      fc.asyncProperty(fc.ipV4Extended(), async (text) => {
        const resolved = (await lookup(text, { family: 4 })).address;
        assert.equal(strict.judge(text).address, resolved, text);
        assert.equal(strict.judge(text).allowed, strict.judge(resolved).allowed, text);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses every IPv4-mapped and IPv4-compatible spelling of every IPv4 address, even with all IPv4 allowed', () => {
    const everyV4 = createDestinationPolicy({ allowCidrs: ['0.0.0.0/0'], ownAddresses: [] });
    fc.assert(
      fc.property(fc.ipV4(), (v4) => {
        const [high, low] = groups(v4);
        const spellings = [
          `::ffff:${v4}`,
          `0::ffff:${v4}`,
          `0:0:0:0:0:ffff:${v4}`,
          `::ffff:${high}:${low}`,
          `::FFFF:${high.toUpperCase()}:${low.toUpperCase()}`,
          `0000:0000:0000:0000:0000:ffff:${high.padStart(4, '0')}:${low.padStart(4, '0')}`,
          `::${v4}`,
          `::${high}:${low}`,
        ];
        for (const text of spellings) assert.equal(everyV4.judge(text).allowed, false, text);
      }),
    );
  });

  it('refuses every address inside each IPv4 special range', () => {
    const ranges: Array<[number, number, DestinationRefusal]> = [
      [0x00000000, 8, 'unspecified'],
      [0x0a000000, 8, 'private'],
      [0x64400000, 10, 'cgnat'],
      [0x7f000000, 8, 'loopback'],
      [0xa9fe0000, 16, 'link_local'],
      [0xac100000, 12, 'private'],
      [0xc0a80000, 16, 'private'],
      [0xc6120000, 15, 'benchmarking'],
      [0xe0000000, 4, 'multicast'],
    ];
    const dotted = (n: number): string => [24, 16, 8, 0].map((shift) => (n >>> shift) & 0xff).join('.');
    fc.assert(
      fc.property(fc.constantFrom(...ranges), fc.nat(), ([base, bits, refusal], n) => {
        const address = dotted((base + (n % 2 ** (32 - bits))) >>> 0);
        assert.equal(refusalOf(address), refusal, address);
      }),
    );
  });

  it('judges a 6to4 address like the IPv4 address it embeds', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.nat(0xffff), (v4, host) => {
        const [high, low] = groups(v4);
        assert.equal(strict.judge(`2002:${high}:${low}::${hex(host)}`).allowed, strict.judge(v4).allowed, v4);
      }),
    );
  });

  it('gives one verdict for every spelling of an IPv6 address', () => {
    fc.assert(
      fc.property(fc.ipV6(), (text) => {
        const verdict = strict.judge(text);
        assert.equal(strict.judge(text.toUpperCase()).allowed, verdict.allowed, text);
        assert.equal(strict.judge(verdict.address).allowed, verdict.allowed, text);
        assert.equal(strict.judge(verdict.address).address, verdict.address, 'the canonical address is its own canonical address');
      }),
    );
  });

  it('allows every address inside an allowed range', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 8, max: 32 }), (v4, bits) => {
        const policy = createDestinationPolicy({ allowCidrs: [`${v4}/${bits}`], ownAddresses: [v4] });
        assert.deepEqual(policy.judge(v4), { allowed: true, address: v4, via: 'allowlist' });
      }),
    );
  });

  it('keeps a verdict for the next delivery, frozen, and stays right past the number it keeps', () => {
    const policy = createDestinationPolicy({ allowCidrs: ['10.1.0.0/16'], ownAddresses: ['203.0.113.7'] });
    const first = policy.judge('8.8.8.8');
    assert.equal(policy.judge('8.8.8.8'), first, 'the same text is not parsed again');
    assert.ok(Object.isFrozen(first), 'callers share it');
    // A long text (a form field) is judged, not kept.
    const long = ` 8.8.8.8${' '.repeat(JUDGED_LENGTH)}`;
    assert.deepEqual(policy.judge(long), first);
    assert.notEqual(policy.judge(long), policy.judge(long), 'judged afresh each time');
    // Over several times the number kept, with repeats: every verdict equals a fresh policy's.
    const texts = fc.sample(fc.oneof(fc.ipV4(), fc.ipV6(), fc.constantFrom('10.1.2.3', '203.0.113.7', 'not-an-ip', ' 8.8.4.4 ')), 3 * JUDGED_KEPT);
    for (const text of [...texts, ...texts.slice(0, 200), first.address]) {
      const fresh = createDestinationPolicy({ allowCidrs: ['10.1.0.0/16'], ownAddresses: ['203.0.113.7'] });
      assert.deepEqual(policy.judge(text), fresh.judge(text), text);
    }
  });
});
