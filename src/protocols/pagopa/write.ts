// Encoding: a typed value written in the order its description gives, every simple value checked
// against its facets. A value that would not validate against the XSD is a programming or data
// error on Varco's side and raises EncodeError naming the element; it is never sent.
import type { AnyType, ComplexType, ElementDef } from './schema.ts';
import { writeSimple } from './facets.ts';

export class EncodeError extends Error {
  readonly path: string;
  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'EncodeError';
    this.path = path;
  }
}

/** Escapes element text; CR is written as a reference so XML end-of-line handling keeps it. */
export function escapeText(text: string): string {
  return text.replace(/[&<>\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#13;'));
}

export function escapeAttribute(text: string): string {
  return escapeText(text).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function writeValue(tag: string, value: unknown, type: AnyType, path: string, out: string[]): void {
  if (type.kind !== 'complex') {
    const written = writeSimple(value, type);
    if (!written.ok) throw new EncodeError(path, written.message);
    out.push(`<${tag}>${escapeText(String(written.value))}</${tag}>`);
    return;
  }
  if (!isRecord(value)) throw new EncodeError(path, 'must be an object');
  out.push(`<${tag}>`);
  writeContent(value, type, path, out);
  out.push(`</${tag}>`);
}

function writeOccurrences(def: ElementDef, value: unknown, path: string, out: string[]): void {
  const at = `${path}/${def.name}`;
  if (value === undefined) {
    if (def.occurs !== 'optional') throw new EncodeError(at, 'is mandatory');
    return;
  }
  if (def.occurs !== 'many') return writeValue(def.name, value, def.type, at, out);
  if (!Array.isArray(value) || value.length < 1 || value.length > def.max) throw new EncodeError(at, `must be a list of 1…${def.max} items`);
  value.forEach((item, index) => writeValue(def.name, item, def.type, `${at}[${index}]`, out));
}

/** Writes the children of a complex value; refuses fields the description does not know. */
export function writeContent(value: Record<string, unknown>, type: ComplexType, path: string, out: string[]): void {
  const known = new Set<string>();
  for (const p of type.content) {
    if (p.kind === 'element') {
      known.add(p.key);
      writeOccurrences(p, value[p.key], path, out);
      continue;
    }
    for (const o of p.options) known.add(o.key);
    const present = p.options.filter((o) => value[o.key] !== undefined);
    if (present.length > 1) throw new EncodeError(path, `only one of ${p.options.map((o) => o.name).join(', ')} may be set`);
    if (present.length === 0 && p.required) throw new EncodeError(path, `one of ${p.options.map((o) => o.name).join(', ')} is mandatory`);
    for (const o of present) writeOccurrences(o, value[o.key], path, out);
  }
  for (const [key, v] of Object.entries(value)) {
    if (v !== undefined && !known.has(key)) throw new EncodeError(`${path}/${key}`, 'is not an element of this message');
  }
}
