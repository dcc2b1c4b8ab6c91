import { randomBytes } from 'node:crypto';

// Prefixed, time-ordered ids (`org_…`, `sub_…`): the prefix tells a human what an id names,
// and the leading 48-bit millisecond timestamp keeps B-tree inserts append-mostly.
// Crockford base32, 10 chars of time + 16 chars of randomness (80 bits), like a ULID.

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

export const ID_PREFIXES = [
  'adm', 'usr', 'ses', 'org', 'inv', 'prd', 'sub', 'key', 'sta', 'ord', 'msg', 'aud', 'err', 'pay', 'evt', 'ver', 'req', 'trs', 'mer', 'chk', 'tca',
] as const;
export type IdPrefix = (typeof ID_PREFIXES)[number];

function encodeTime(ms: number): string {
  let out = '';
  let rest = ms;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

function encodeRandom(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

// One randomBytes() call per id cost about 4 % of the CPU of a busy API (every request gets an
// id): draw from the CSPRNG 4,000 bytes at a time and hand out 10 bytes per id, each used once.
const POOL_BYTES = 4000;
let pool = Buffer.alloc(0);
let used = POOL_BYTES;

function random10(): Buffer {
  if (used + 10 > pool.length) {
    pool = randomBytes(POOL_BYTES);
    used = 0;
  }
  used += 10;
  return pool.subarray(used - 10, used);
}

export function newId(prefix: IdPrefix, now: number = Date.now()): string {
  return `${prefix}_${encodeTime(now)}${encodeRandom(random10())}`;
}

const ID_PATTERN = /^[a-z]{3}_[0-9a-hjkmnp-tv-z]{26}$/;

/** True when `value` looks like an id with this prefix; lets routes answer 404 without a query. */
export function isId(value: string, prefix: IdPrefix): boolean {
  return value.startsWith(`${prefix}_`) && ID_PATTERN.test(value);
}
