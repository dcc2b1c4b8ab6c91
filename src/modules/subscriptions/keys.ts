import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { sha256Hex } from '../../kernel/crypto.ts';

// The API key format (pure; see docs/adr/0005-api-keys.md):
//
//   vk_<env>_<43 base62 chars: 256 random bits><6 base62 chars: CRC32 of everything before>
//
// The environment prefix lets a human (and a secret scanner) tell a key and its environment at a
// glance. The checksum rejects a mistyped or truncated key before any hashing or lookup: CRC32
// catches every single-character change and every swap of neighbours. It is not a secret and adds
// no strength; the 256 random bits do. Only the SHA-256 of the whole key is ever stored.

export type KeyEnvironment = 'test' | 'prod';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BODY_LENGTH = 43; // 62^43 > 2^256 > 62^42
const CHECK_LENGTH = 6; // 62^6 > 2^32
const KEY_PATTERN = /^vk_(test|prod)_[0-9A-Za-z]{49}$/;
export const KEY_LENGTH = 'vk_test_'.length + BODY_LENGTH + CHECK_LENGTH;

export interface GeneratedKey {
  /** The plain key: handed to the caller once, never stored. */
  key: string;
  hash: string;
  prefix: string;
  last4: string;
}

function toBase62(value: bigint, length: number): string {
  let out = '';
  let rest = value;
  for (let i = 0; i < length; i++) {
    out = ALPHABET[Number(rest % 62n)] + out;
    rest /= 62n;
  }
  return out;
}

function checksum(text: string): string {
  return toBase62(BigInt(crc32(text)), CHECK_LENGTH);
}

export function keyPrefix(environment: KeyEnvironment): string {
  return `vk_${environment}_`;
}

/** A fresh key from 32 random bytes, with its hash and the parts that may be shown later. */
export function generateKey(environment: KeyEnvironment): GeneratedKey {
  const body = toBase62(BigInt(`0x${randomBytes(32).toString('hex')}`), BODY_LENGTH);
  const unchecked = `${keyPrefix(environment)}${body}`;
  const key = `${unchecked}${checksum(unchecked)}`;
  return { key, hash: hashKey(key), prefix: keyPrefix(environment), last4: key.slice(-4) };
}

export function hashKey(key: string): string {
  return sha256Hex(key);
}

/** The environment a well-formed key names, or undefined for anything else (typo, truncation, other format). */
export function checkKeyFormat(key: string): KeyEnvironment | undefined {
  const environment = keyShape(key);
  if (environment === undefined) return undefined;
  const unchecked = key.slice(0, -CHECK_LENGTH);
  if (checksum(unchecked) !== key.slice(-CHECK_LENGTH)) return undefined;
  return environment;
}

/**
 * The environment of a key of the right length and alphabet, without its checksum: enough for a key
 * whose hash the verdict cache already holds, since only checked keys are ever cached (key-verifier.ts).
 */
export function keyShape(key: string): KeyEnvironment | undefined {
  if (key.length !== KEY_LENGTH || !KEY_PATTERN.test(key)) return undefined;
  return key.startsWith('vk_test_') ? 'test' : 'prod';
}

/** How a stored key is shown after it was revealed: prefix and last four characters only. */
export function maskKey(prefix: string, last4: string): string {
  return `${prefix}…${last4}`;
}
