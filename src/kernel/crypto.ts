import { hash, randomBytes, timingSafeEqual, createHmac, hkdfSync } from 'node:crypto';

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
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
