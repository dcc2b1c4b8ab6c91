// Safe reading of untrusted XML into a small namespace-resolved tree.
// fast-xml-parser with entity processing OFF; before it runs we refuse what a SOAP message never
// needs and what makes XML dangerous: any DOCTYPE/ENTITY declaration (XXE, billion laughs),
// processing instructions other than the XML declaration, input over a size limit, nesting over a
// depth limit, encodings other than UTF-8. The five predefined entities and character references
// are decoded here, by us, so nothing can expand.
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export interface XmlElement {
  readonly kind: 'element';
  readonly prefix: string;
  readonly local: string;
  /** Namespace URI; '' for an unqualified element. */
  readonly ns: string;
  readonly attributes: readonly XmlAttribute[];
  readonly children: readonly XmlNode[];
}
export interface XmlText {
  readonly kind: 'text';
  readonly text: string;
}
export type XmlNode = XmlElement | XmlText;
export interface XmlAttribute {
  /** As written ('' for none): what a masked copy of the message is written back with. */
  readonly prefix: string;
  readonly local: string;
  readonly ns: string;
  readonly value: string;
}

export interface XmlLimits {
  /** UTF-8 bytes. */
  readonly maxBytes: number;
  /** Element nesting; a pagoPA envelope is about 10 deep. */
  readonly maxDepth: number;
}
export const DEFAULT_XML_LIMITS: XmlLimits = { maxBytes: 256 * 1024, maxDepth: 32 };

export type XmlProblemKind = 'too_large' | 'not_xml' | 'doctype' | 'processing_instruction' | 'too_deep';
export type XmlReadResult = { ok: true; root: XmlElement } | { ok: false; kind: XmlProblemKind; message: string };

const XMLNS = 'http://www.w3.org/2000/xmlns/';
const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
// Characters XML 1.0 forbids anywhere, and UTF-16 halves without their partner.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const FORBIDDEN_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

type Raw = Record<string, unknown>;
class XmlFailure extends Error {
  readonly kind: XmlProblemKind;
  constructor(kind: XmlProblemKind, message: string) {
    super(message);
    this.kind = kind;
  }
}

function parserFor(maxDepth: number): XMLParser {
  return new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    processEntities: false,
    htmlEntities: false,
    cdataPropName: '#cdata',
    commentPropName: false,
    ignoreDeclaration: false,
    ignorePiTags: false,
    allowBooleanAttributes: false,
    maxNestedTags: maxDepth,
  });
}

/** Decodes bytes as strict UTF-8 and applies the size limit before any parsing. */
function toText(input: string | Uint8Array, limits: XmlLimits): string {
  const bytes = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
  if (bytes > limits.maxBytes) throw new XmlFailure('too_large', `message of ${bytes} bytes exceeds the limit of ${limits.maxBytes}`);
  if (typeof input === 'string') return input.startsWith('\uFEFF') ? input.slice(1) : input;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(input);
  } catch {
    throw new XmlFailure('not_xml', 'the message is not valid UTF-8');
  }
}

function checkDeclaration(node: Raw, index: number): void {
  if (index !== 0) throw new XmlFailure('not_xml', 'the XML declaration may only appear at the start');
  const attrs = (node[':@'] ?? {}) as Record<string, string>;
  const encoding = attrs['@_encoding'];
  if (encoding !== undefined && !/^utf-?8$/i.test(encoding)) {
    throw new XmlFailure('not_xml', `encoding ${encoding.slice(0, 20)} is not supported; send UTF-8`);
  }
}

/** Expands the five predefined entities and character references; anything else is refused. */
function decodeReferences(raw: string): string {
  return raw.replace(/&(?:(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z_][\w.-]*);)?/g, (whole, ref: string | undefined) => {
    if (ref === undefined) throw new XmlFailure('not_xml', "a bare '&' must be written &amp;");
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      const ch = code <= 0x10ffff ? String.fromCodePoint(code) : '\u0000';
      if (FORBIDDEN_CHAR.test(ch) || (code >= 0xd800 && code <= 0xdfff))
        throw new XmlFailure('not_xml', `character reference ${whole.slice(0, 12)} is not an XML character`);
      return ch;
    }
    const value = PREDEFINED[ref];
    if (value === undefined) throw new XmlFailure('doctype', `entity &${ref.slice(0, 30)}; is not declared (DTDs are not accepted)`);
    return value;
  });
}

function nameParts(qname: string): { prefix: string; local: string } {
  const parts = qname.split(':');
  if (parts.length === 1) return { prefix: '', local: qname };
  if (parts.length === 2 && parts[0] && parts[1]) return { prefix: parts[0], local: parts[1] };
  throw new XmlFailure('not_xml', `invalid qualified name ${qname.slice(0, 60)}`);
}

function lookup(scope: ReadonlyMap<string, string>, prefix: string): string {
  if (prefix === 'xml') return XML_NS;
  const ns = scope.get(prefix);
  if (ns === undefined) {
    if (prefix === '') return '';
    throw new XmlFailure('not_xml', `namespace prefix ${prefix.slice(0, 40)} is not declared`);
  }
  return ns;
}

function convertElement(qname: string, node: Raw, parentScope: ReadonlyMap<string, string>, depth: number, limits: XmlLimits): XmlElement {
  if (depth > limits.maxDepth) throw new XmlFailure('too_deep', `elements nest deeper than ${limits.maxDepth} levels`);
  const rawAttrs = Object.entries((node[':@'] ?? {}) as Record<string, string>);
  const scope = new Map(parentScope);
  for (const [key, value] of rawAttrs) {
    const name = key.slice(2);
    if (name === 'xmlns') scope.set('', decodeReferences(value));
    else if (name.startsWith('xmlns:')) scope.set(name.slice(6), decodeReferences(value));
  }
  const { prefix, local } = nameParts(qname);
  const attributes: XmlAttribute[] = [];
  for (const [key, value] of rawAttrs) {
    const a = nameParts(key.slice(2));
    const isDecl = a.prefix === 'xmlns' || (a.prefix === '' && a.local === 'xmlns');
    attributes.push({ prefix: a.prefix, local: a.local, ns: isDecl ? XMLNS : a.prefix === '' ? '' : lookup(scope, a.prefix), value: decodeReferences(value) });
  }
  const children: XmlNode[] = [];
  for (const child of (node[qname] ?? []) as Raw[]) {
    const childName = Object.keys(child).find((k) => k !== ':@');
    if (childName === undefined) continue;
    if (childName === '#text') children.push({ kind: 'text', text: decodeReferences(String(child['#text'])) });
    else if (childName === '#cdata') children.push({ kind: 'text', text: ((child['#cdata'] as Raw[])[0]?.['#text'] as string | undefined) ?? '' });
    else if (childName.startsWith('?')) throw new XmlFailure('processing_instruction', 'processing instructions are not accepted');
    else children.push(convertElement(childName, child, scope, depth + 1, limits));
  }
  return { kind: 'element', prefix, local, ns: lookup(scope, prefix), attributes, children };
}

function toTree(nodes: Raw[], limits: XmlLimits): XmlElement {
  let root: XmlElement | undefined;
  nodes.forEach((node, index) => {
    const name = Object.keys(node).find((k) => k !== ':@');
    if (name === undefined || name === '#text') return; // whitespace around the root
    if (name === '?xml') return checkDeclaration(node, index);
    if (name.startsWith('?')) throw new XmlFailure('processing_instruction', 'processing instructions are not accepted');
    if (name === '#cdata' || root !== undefined) throw new XmlFailure('not_xml', 'a document has exactly one root element');
    root = convertElement(name, node, new Map(), 1, limits);
  });
  if (root === undefined) throw new XmlFailure('not_xml', 'no root element');
  return root;
}

/** Reads untrusted XML. Never throws: every failure is a classified problem. */
export function readXml(input: string | Uint8Array, limits: XmlLimits = DEFAULT_XML_LIMITS): XmlReadResult {
  try {
    let text = toText(input, limits);
    // Refused before any parser sees it: nothing in a DTD is needed and all of it is risk.
    if (/<!DOCTYPE|<!ENTITY|<!ATTLIST|<!ELEMENT|<!NOTATION/i.test(text)) {
      throw new XmlFailure('doctype', 'DOCTYPE and entity declarations are not accepted');
    }
    if (FORBIDDEN_CHAR.test(text)) throw new XmlFailure('not_xml', 'the message contains characters XML does not allow');
    text = text.replace(/\r\n?/g, '\n'); // XML end-of-line handling (§2.11)
    const valid = XMLValidator.validate(text, { allowBooleanAttributes: false });
    if (valid !== true) throw new XmlFailure('not_xml', `not well-formed XML (line ${valid.err.line}): ${valid.err.msg}`);
    let nodes: Raw[];
    try {
      nodes = parserFor(limits.maxDepth).parse(text) as Raw[];
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (/nested/i.test(message)) throw new XmlFailure('too_deep', `elements nest deeper than ${limits.maxDepth} levels`);
      throw new XmlFailure('not_xml', `not well-formed XML: ${message.slice(0, 200)}`);
    }
    return { ok: true, root: toTree(nodes, limits) };
  } catch (e) {
    if (e instanceof XmlFailure) return { ok: false, kind: e.kind, message: e.message };
    // A parser bug must still end as a classified problem, never as an exception to the caller.
    return { ok: false, kind: 'not_xml', message: 'the message could not be read as XML' };
  }
}

/** The element children of an element (text and whitespace skipped). */
export function childElements(el: XmlElement): XmlElement[] {
  return el.children.filter((c): c is XmlElement => c.kind === 'element');
}

/** Concatenated text of an element's direct text children. */
export function textOf(el: XmlElement): string {
  return el.children.map((c) => (c.kind === 'text' ? c.text : '')).join('');
}

/** True when the element has non-whitespace text beside its child elements. */
export function hasStrayText(el: XmlElement): boolean {
  return el.children.some((c) => c.kind === 'text' && c.text.trim() !== '');
}

export const XML_NAMESPACES = { xmlns: XMLNS, xml: XML_NS } as const;
