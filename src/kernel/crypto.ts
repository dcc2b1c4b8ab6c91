import { hash, randomBytes, timingSafeEqual, createHmac, hkdfSync } from 'node:crypto';

// The CSPRNG drawn 4,096 bytes at a time: a call per token or id cost several µs each in this
// sandbox (issue 15: ~12 µs per hosted-page order, ~4 % of a busy API's CPU for request ids), one
// call per 4 KB costs the same. Every byte is handed out once; a token's bytes are zeroed in the
// pool once encoded, so the pool holds no token that was handed out.
const POOL_BYTES = 4096;
/** Larger requests than this go to the CSPRNG directly. */
const POOLED_MAX = 256;
let pool = Buffer.alloc(0);
let used = 0;

/** `n` bytes from the CSPRNG, never handed out before; a view of the pool for n ≤ 256 (copy it to keep it). */
export function randomPooled(n: number): Buffer {
  // What randomBytes would refuse: a NaN or negative count would corrupt the pool's offset (empty or overlapping draws).
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`random byte count must be a non-negative integer, got ${n}`);
  if (n > POOLED_MAX) return randomBytes(n);
  if (used + n > pool.length) {
    pool = randomBytes(POOL_BYTES);
    used = 0;
  }
  used += n;
  return pool.subarray(used - n, used);
}

/** `bytes` random bytes as base64url: session, reset and order tokens. */
export function randomToken(bytes = 32): string {
  const raw = randomPooled(bytes);
  const token = raw.toString('base64url');
  raw.fill(0);
  return token;
}

/** One-shot (crypto.hash): no Hash object per call, a few times cheaper for short inputs such as API keys. */
export function sha256Hex(value: string | Buffer): string {
  return hash('sha256', value, 'hex');
}

export function hmacSha256Hex(key: string | Buffer, value: string | Buffer): string {
  return createHmac('sha256', key).update(value).digest('hex');
}

/**
 * A 32-byte subkey of `master` for one purpose (HKDF-SHA-256, RFC 5869, with `label` as info): each
 * purpose gets an independent key, and a subkey reveals nothing about the master key or the others.
 */
export function deriveKey(master: Buffer, label: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), label, 32));
}

/** Constant-time string comparison; different lengths compare false without early exit on content. */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  if (left.length !== right.length) {
    // Still spend a comparison so the timing does not depend on where strings differ.
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}
