import { randomPooled } from './crypto.ts';

// Prefixed, time-ordered ids (`org_…`, `sub_…`): the prefix tells a human what an id names,
// and the leading 48-bit millisecond timestamp keeps B-tree inserts append-mostly.
// Crockford base32, 10 chars of time + 16 chars of randomness (80 bits), like a ULID.

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

export const ID_PREFIXES = [
  'adm',
  'usr',
  'ses',
  'org',
  'inv',
  'prd',
  'sub',
  'key',
  'sta',
  'ord',
  'msg',
  'aud',
  'err',
  'pay',
  'evt',
  'ver',
  'req',
  'trs',
  'mer',
  'chk',
  'tca',
  // pagoPA registry: PSP records, channels, EC → station links.
  'psp',
  'chn',
  'ecl',
  // pagoPA test EC simulator: scenarios.
  'scn',
  // pagoPA receipts (one per creditor institution of a paid payment).
  'rct',
  // Four-eyes proposals (issue 16).
  'prp',
  // Password resets by e-mail (issue 14).
  'pwr',
  // DirectLink (issue 13): merchants' API users, payment operations (PAYIDSUB), card aliases.
  'apu',
  'pop',
  'als',
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

// Two characters per 10 bits: an id's 80 random bits are 8 lookups instead of 16 (issue 15: every
// request gets an id).
const PAIRS = Array.from({ length: 1024 }, (_, i) => `${ALPHABET[i >> 5] ?? ''}${ALPHABET[i & 31] ?? ''}`);

function encodeRandom(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (let i = 0; i < bytes.length; i++) {
    value = ((value & 0x3ff) << 8) | (bytes[i] ?? 0);
    bits += 8;
    if (bits >= 10) {
      bits -= 10;
      out += PAIRS[(value >>> bits) & 1023];
    }
  }
  return out;
}

// Monotonic within a process, like ULID's monotonic mode: ids made in the same millisecond (or
// after the clock stepped back) continue from the previous one, incremented, so ordering by id
// follows creation order exactly — lists sorted by (created_at, id) never shuffle ties.
let lastMs = -1;
let lastTime = '';
const lastRandom = Buffer.alloc(10);

function increment(bytes: Buffer): void {
  for (let i = bytes.length - 1; i >= 0; i--) {
    bytes[i] = ((bytes[i] ?? 0) + 1) & 0xff;
    if (bytes[i] !== 0) return;
  }
}

export function newId(prefix: IdPrefix, now: number = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    lastTime = encodeTime(now);
    // 80 random bits from the pooled CSPRNG (kernel/crypto.ts: a randomBytes() call per id cost ~4 % of a busy API's CPU).
    randomPooled(10).copy(lastRandom);
  } else {
    increment(lastRandom);
  }
  return `${prefix}_${lastTime}${encodeRandom(lastRandom)}`;
}

const ID_PATTERN = /^[a-z]{3}_[0-9a-hjkmnp-tv-z]{26}$/;

/** True when `value` looks like an id with this prefix; lets routes answer 404 without a query. */
export function isId(value: string, prefix: IdPrefix): boolean {
  return value.startsWith(`${prefix}_`) && ID_PATTERN.test(value);
}

/**
 * The keyset cursor of a list read newest first by (time, id): `<milliseconds>.<id>`, e.g.
 * `1765000000000.als_01k…`. Clients pass it back as it came (opaque to them); the next page starts
 * after that (time, id) without reading the row again, so it holds when the row is gone. Times are
 * the clock's milliseconds, as stored.
 */
export const idCursor = (at: Date, id: string): string => `${at.getTime()}.${id}`;

/** The (at, id) of a cursor `idCursor` made for ids of `prefix`, or undefined when it is not one. */
export function parseIdCursor(cursor: string, prefix: IdPrefix): { at: Date; id: string } | undefined {
  const match = /^(\d{1,16})\.([a-z]{3}_[0-9a-z]{26})$/.exec(cursor);
  if (!match?.[1] || !match[2] || !isId(match[2], prefix)) return undefined;
  const at = new Date(Number(match[1]));
  return Number.isNaN(at.getTime()) ? undefined : { at, id: match[2] };
}
