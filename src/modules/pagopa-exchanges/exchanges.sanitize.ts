import { maskPasswords, PASSWORD_MASK } from '../../protocols/pagopa/index.ts';
import { storableText } from '../../kernel/storable.ts';

// What the exchange log keeps of a message, made safe before the INSERT: bounded in size, valid text
// PostgreSQL accepts whatever arrived (invalid UTF-8, NUL, lone surrogates), and without channel
// passwords. Pure and total: nothing here throws, whatever the input, and every step is linear in the
// input (the masks are written so no input makes them backtrack over the rest of the text).

/** Each message (request, response) keeps at most this many UTF-8 bytes: 256 KiB. */
export const MAX_MESSAGE_BYTES = 256 * 1024;

export type MessageInput = string | Uint8Array | null | undefined;

export interface BoundedMessage {
  /** Masked, at most `max` bytes of UTF-8. */
  text: string;
  /** Size of the message as given (bytes), before it was bounded. */
  bytes: number;
  /** True when the stored text is only the beginning of the message. */
  truncated: boolean;
}

// A namespace prefix of any characters an element name can hold (`ns1:`, `ñs:`, `soapenv:`): the
// codec's mask knows word characters only. Never `<`, `>` or whitespace, so a match cannot run on.
const PREFIX = String.raw`(?:[^\s<>/!?:="'&]*:)?`;
// <password …> (any prefix, any case, attributes, cut short) up to its end tag (any prefix) or the
// end of the text: comments, processing instructions, stray `<` and nested markup inside the element
// are masked with it, where the codec's mask stops at the first `<` that does not open CDATA.
const ELEMENT = new RegExp(String.raw`(<${PREFIX}password(?:\s[^>]*)?(?:>|$))([\s\S]*?)(?=<\/${PREFIX}password\s*>|$)`, 'gi');
// The same element written as escaped text (`&lt;password&gt;…`), e.g. quoted in a fault description.
const ESCAPED = new RegExp(String.raw`(&lt;${PREFIX}password(?:\s(?:[^&<]|&(?!gt;))*)?(?:&gt;|$))((?:[^&<]|&(?!lt;\/))*)`, 'gi');
// A password carried as an attribute (`password="…"`, any prefix): no pagoPA message has one.
const ATTRIBUTE = new RegExp(String.raw`(\s${PREFIX}password\s*=\s*)("[^"]*(?:"|$)|'[^']*(?:'|$)|[^\s>"']+)`, 'gi');

const maskContent = (_whole: string, open: string, content: string): string => (content === '' ? open : `${open}${PASSWORD_MASK}`);
const maskAttribute = (_whole: string, name: string, value: string): string => {
  const quote = value.startsWith('"') || value.startsWith("'") ? value.charAt(0) : '';
  return `${name}${quote}${PASSWORD_MASK}${quote}`;
};

/** The codec's mask, then ours for what it misses; applied to every text column of the log. */
export function maskSecrets(text: string): string {
  return maskPasswords(text).replace(ELEMENT, maskContent).replace(ESCAPED, maskContent).replace(ATTRIBUTE, maskAttribute);
}

/** The longest beginning of `text` that fits in `max` bytes of UTF-8, never splitting a character. */
export function cutUtf8(text: string, max: number): string {
  // A UTF-16 unit is at least one byte: the first `max` units hold at least the first `max` bytes.
  const head = text.length > max ? text.slice(0, max) : text;
  const bytes = Buffer.from(head, 'utf8');
  if (bytes.length <= max) return head;
  let end = max;
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}

function asText(input: MessageInput, max: number): { text: string; bytes: number } {
  if (input === null || input === undefined) return { text: '', bytes: 0 };
  if (typeof input === 'string') return { text: cutUtf8(input, max), bytes: Buffer.byteLength(input, 'utf8') };
  if (input instanceof Uint8Array) {
    // Invalid UTF-8 becomes U+FFFD; a character cut at the limit too.
    return { text: new TextDecoder('utf-8', { fatal: false }).decode(input.subarray(0, max)), bytes: input.byteLength };
  }
  const text = String(input as unknown);
  return { text: cutUtf8(text, max), bytes: Buffer.byteLength(text, 'utf8') };
}

/**
 * One message as the log keeps it. Cut first (so masking never runs over megabytes), then masked
 * (a password cut short is masked up to the end of the text), then cut again: the mask or U+FFFD
 * replacements may have made it longer.
 */
export function boundMessage(input: MessageInput, max = MAX_MESSAGE_BYTES): BoundedMessage {
  const { text, bytes } = asText(input, max);
  const masked = maskSecrets(storableText(text));
  const bounded = Buffer.byteLength(masked, 'utf8') > max ? cutUtf8(masked, max) : masked;
  return { text: bounded, bytes, truncated: bytes > max || bounded.length < masked.length };
}

/** A short column (ids, codes, notice number): text or null, masked, bounded to `max` characters. */
export function cleanField(value: unknown, max: number): string | null {
  if (value === null || value === undefined) return null;
  const text = typeof value === 'string' ? value : String(value);
  if (text === '') return null;
  const masked = maskSecrets(storableText(text.length > 4 * max ? text.slice(0, 4 * max) : text));
  return masked.length > max ? masked.slice(0, max).toWellFormed() : masked;
}

/** A whole number in [min, max], or the fallback for anything else (NaN, Infinity, text). */
export function clampInt(value: unknown, min: number, max: number, fallback: number | null): number | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) return fallback;
  return Math.min(max, Math.max(min, Math.round(value)));
}
