/**
 * Envelope encryption of secrets at rest (SHA passphrases, later other credentials):
 * AES-256-GCM under a master key from configuration, a fresh random 96-bit IV per message.
 *
 * Sealed form (ASCII, safe in a text column, a JSON file or a log-free error message):
 *
 *     sb1.<kid>.<base64url(iv ‖ ciphertext ‖ tag)>
 *
 * `sb1` is the format version. `<kid>` names the master key: the first 8 bytes of
 * HMAC-SHA-256(key, "varco-secretbox-kid"), base64url. It reveals nothing about the key but lets
 * `open` pick the right key from a key ring, so the master key can rotate: seal with the new key,
 * keep the old one for opening until `needsReseal` finds no more rows sealed under it.
 *
 * The header (version and kid) and the caller's `aad` are authenticated. Callers should pass an
 * `aad` naming where the secret lives (e.g. `merchant:<id>:test:sha-in`), so a sealed value copied
 * into another row or field fails to open instead of silently becoming that field's secret.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

const VERSION = 'sb1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KID_BYTES = 8;
const SEALED = /^sb1\.([A-Za-z0-9_-]{11})\.([A-Za-z0-9_-]+)$/;

export type SecretboxFailure = 'malformed' | 'unknown_key' | 'tampered';

/** Opening failed. Never carries the plaintext or the key. */
export class SecretboxError extends Error {
  readonly reason: SecretboxFailure;
  constructor(reason: SecretboxFailure, message: string) {
    super(message);
    this.name = 'SecretboxError';
    this.reason = reason;
  }
}

function requireKey(key: Buffer): void {
  if (key.length !== KEY_BYTES) throw new RangeError(`secretbox key must be ${KEY_BYTES} bytes, got ${key.length}`);
}

/** Public identifier of a master key (11 base64url characters). */
export function secretboxKeyId(key: Buffer): string {
  requireKey(key);
  return createHmac('sha256', key).update('varco-secretbox-kid').digest().subarray(0, KID_BYTES).toString('base64url');
}

function additionalData(kid: string, aad: string): Buffer {
  // A NUL separates header and caller data: neither part can contain one ambiguously shifted.
  return Buffer.from(`${VERSION}.${kid}\u0000${aad}`, 'utf8');
}

export function seal(key: Buffer, plaintext: string, aad = ''): string {
  const kid = secretboxKeyId(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(additionalData(kid, aad));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `${VERSION}.${kid}.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
}

interface Parsed {
  readonly kid: string;
  readonly iv: Buffer;
  readonly body: Buffer;
  readonly tag: Buffer;
}

function parse(sealed: string): Parsed {
  const match = SEALED.exec(sealed);
  if (!match) throw new SecretboxError('malformed', 'not a sealed secret (expected sb1.<kid>.<data>)');
  const kid = match[1] ?? '';
  const raw = Buffer.from(match[2] ?? '', 'base64url');
  if (raw.length < IV_BYTES + TAG_BYTES) throw new SecretboxError('malformed', 'sealed secret is truncated');
  return {
    kid,
    iv: raw.subarray(0, IV_BYTES),
    body: raw.subarray(IV_BYTES, raw.length - TAG_BYTES),
    tag: raw.subarray(raw.length - TAG_BYTES),
  };
}

/** Key id a sealed value was made with, without opening it. Throws SecretboxError('malformed'). */
export function sealedKeyId(sealed: string): string {
  return parse(sealed).kid;
}

/**
 * Opens a sealed value with the matching key of `keys` (one key, or a ring: current first, then
 * retired ones). Throws SecretboxError: `malformed`, `unknown_key` (no key with that id), or
 * `tampered` (wrong aad, altered bytes, or a key-id collision with the wrong key).
 */
export function open(keys: Buffer | readonly Buffer[], sealed: string, aad = ''): string {
  const parsed = parse(sealed);
  const ring = Buffer.isBuffer(keys) ? [keys] : keys;
  const key = ring.find((k) => secretboxKeyId(k) === parsed.kid);
  if (key === undefined) throw new SecretboxError('unknown_key', `no master key with id ${parsed.kid}`);
  const decipher = createDecipheriv('aes-256-gcm', key, parsed.iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(additionalData(parsed.kid, aad));
  decipher.setAuthTag(parsed.tag);
  try {
    return Buffer.concat([decipher.update(parsed.body), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretboxError('tampered', 'sealed secret failed authentication');
  }
}

/** True when `sealed` was not made with `currentKey`: re-seal it during a key rotation. */
export function needsReseal(currentKey: Buffer, sealed: string): boolean {
  return sealedKeyId(sealed) !== secretboxKeyId(currentKey);
}

/** A fresh random master key. */
export function generateSecretboxKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

/**
 * Master key from configuration text: 64 hex digits, or base64 / base64url of 32 bytes.
 * Returns undefined for anything else, so the config loader can name the bad setting.
 */
export function parseSecretboxKey(text: string): Buffer | undefined {
  const value = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (!/^[A-Za-z0-9+/_-]{43}={0,1}$/.test(value)) return undefined;
  const key = Buffer.from(value.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''), 'base64url');
  return key.length === KEY_BYTES ? key : undefined;
}
