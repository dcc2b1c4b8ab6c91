// Decoding: a namespace-resolved XML element checked against a message description, element by
// element in the description's order, into the typed value. The first violation is reported with
// the path of the element it concerns (PPT_SINTASSI_XSD carries it as the fault description).
import type { AnyType, ComplexType, ElementDef, Particle } from './schema.ts';
import { readSimple } from './facets.ts';
import { childElements, hasStrayText, textOf, XML_NAMESPACES, type XmlElement } from './xml.ts';

export interface SchemaProblem {
  /** Slash-separated element path from the body element, e.g. activatePaymentNoticeReq/qrCode. */
  readonly path: string;
  /** The element the problem is about (missing, unexpected or with a bad value). */
  readonly element: string;
  readonly message: string;
}
export type SchemaResult<T> = { ok: true; value: T } | { ok: false; problem: SchemaProblem };

const fail = (path: string, element: string, message: string): { ok: false; problem: SchemaProblem } => ({ ok: false, problem: { path, element, message } });

/** Reads one element whose name has already been matched; `path` includes the element. */
export function readElement(el: XmlElement, type: AnyType, path: string): SchemaResult<unknown> {
  const attribute = el.attributes.find((a) => a.ns !== XML_NAMESPACES.xmlns);
  if (attribute !== undefined) return fail(path, el.local, `attribute ${attribute.local} is not allowed on <${el.local}>`);
  if (type.kind !== 'complex') {
    if (childElements(el).length > 0) return fail(path, el.local, `<${el.local}> must contain text, not elements`);
    const read = readSimple(textOf(el), type);
    return read.ok ? read : fail(path, el.local, `<${el.local}> ${read.message}`);
  }
  if (hasStrayText(el)) return fail(path, el.local, `<${el.local}> must contain elements only, not text`);
  return readSequence(el, type, path);
}

function nameOf(p: Particle): string {
  return p.kind === 'element' ? `<${p.name}>` : p.options.map((o) => `<${o.name}>`).join(' or ');
}

function readChild(child: XmlElement, def: ElementDef, path: string): SchemaResult<unknown> {
  const childPath = `${path}/${def.name}`;
  if (child.ns !== '') {
    return fail(childPath, def.name, `<${def.name}> must not be namespace-qualified (children of the body element are unqualified)`);
  }
  return readElement(child, def.type, childPath);
}

function unexpected(parent: XmlElement, type: ComplexType, child: XmlElement, path: string): SchemaResult<never> {
  const known = type.content.find((p) => (p.kind === 'element' ? p.name === child.local : p.options.some((o) => o.name === child.local)));
  const where = `${path}/${child.local}`;
  if (known?.kind === 'element' && known.occurs === 'many') {
    return fail(where, child.local, `at most ${known.max} <${child.local}> elements are allowed in <${parent.local}>, or they are out of order`);
  }
  if (known !== undefined) return fail(where, child.local, `<${child.local}> is repeated or out of order in <${parent.local}>`);
  return fail(where, child.local, `<${child.local}> is not allowed in <${parent.local}>`);
}

function readSequence(parent: XmlElement, type: ComplexType, path: string): SchemaResult<Record<string, unknown>> {
  const kids = childElements(parent);
  const out: Record<string, unknown> = {};
  let i = 0;
  for (const p of type.content) {
    if (p.kind === 'element') {
      const values: unknown[] = [];
      for (let kid = kids[i]; kid !== undefined && kid.local === p.name && values.length < p.max; kid = kids[++i]) {
        const read = readChild(kid, p, path);
        if (!read.ok) return read;
        values.push(read.value);
      }
      if (values.length === 0 && p.occurs !== 'optional') return missing(parent, p, kids[i], path, type);
      if (values.length > 0) out[p.key] = p.occurs === 'many' ? values : values[0];
    } else {
      const kid = kids[i];
      const option = kid === undefined ? undefined : p.options.find((o) => o.name === kid.local);
      if (kid !== undefined && option !== undefined) {
        const read = readChild(kid, option, path);
        if (!read.ok) return read;
        out[option.key] = read.value;
        i++;
      } else if (p.required) {
        return missing(parent, p, kid, path, type);
      }
    }
  }
  const extra = kids[i];
  return extra === undefined ? { ok: true, value: out } : unexpected(parent, type, extra, path);
}

/**
 * A particle found no match: name what is really wrong — an element the type does not know, one
 * that came back (repeated or out of order), or the expected one missing.
 */
function missing(parent: XmlElement, p: Particle, found: XmlElement | undefined, path: string, type: ComplexType): SchemaResult<never> {
  if (found !== undefined) {
    const at = type.content.findIndex((q) => (q.kind === 'element' ? q.name === found.local : q.options.some((o) => o.name === found.local)));
    if (at === -1 || at <= type.content.indexOf(p)) return unexpected(parent, type, found, path);
  }
  const name = p.kind === 'element' ? p.name : p.options.map((o) => o.name).join('|');
  const instead = found === undefined ? '' : ` (found <${found.local}> instead)`;
  return fail(`${path}/${name}`, name, `${nameOf(p)} is missing in <${parent.local}>${instead}`);
}
