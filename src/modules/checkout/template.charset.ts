import { storableText } from '../../kernel/storable.ts';

/**
 * The character set of a dynamic template (TP), and its text. Older shops' pages — and a variant of
 * the platform's own hosted page — are ISO-8859-1 or windows-1252, not UTF-8: read as UTF-8, `é`
 * became `�`. A browser's order (WHATWG HTML, "determining the character encoding"), without guessing:
 * a byte order mark; the `charset` of the Content-Type header; for XHTML, the XML declaration's
 * `encoding`; a `<meta charset>` or `<meta http-equiv="Content-Type" content="…; charset=…">` in the
 * first 1024 bytes; else UTF-8. Labels are the WHATWG Encoding standard's (`latin1` and `iso-8859-1`
 * are windows-1252), read with TextDecoder; a label it does not know is passed over, as a browser
 * does, so an unknown one ends in UTF-8, never in an error.
 */

/** How far a browser looks for a `<meta>` declaration. */
const PRESCAN_BYTES = 1024;

/** The canonical name of a WHATWG encoding label, or undefined when TextDecoder knows no such encoding. */
function encodingOf(label: string): string | undefined {
  try {
    return new TextDecoder(label).encoding;
  } catch {
    return undefined;
  }
}

function fromBom(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  return undefined;
}

/** The `charset` parameter of a Content-Type header (`text/html; charset="ISO-8859-1"`). */
function fromHeader(text: string): string | undefined {
  const found = /;\s*charset\s*=\s*(?:"([^"]*)"|([^\s;"]+))/i.exec(text);
  const label = found?.[1] ?? found?.[2];
  return label === undefined ? undefined : encodingOf(label);
}

/** The encoding an XML declaration names (`<?xml version="1.0" encoding="ISO-8859-1"?>`), at the very start. */
function fromXmlDeclaration(start: string): string | undefined {
  const found = /^<\?xml\s[^>]*?\bencoding\s*=\s*(?:"([^"]*)"|'([^']*)')/.exec(start);
  const label = found?.[1] ?? found?.[2];
  return label === undefined ? undefined : encodingOf(label);
}

/** The charset named in a `content` attribute (`text/html; charset=iso-8859-1`), as HTML extracts it. */
function charsetInContent(content: string): string | undefined {
  const found = /charset\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s;"']+))/i.exec(content);
  return found?.[1] ?? found?.[2] ?? found?.[3];
}

interface Attribute {
  name: string;
  value: string;
  next: number;
}

const SPACE = /[\t\n\f\r ]/;

/** One attribute of a tag from `at` (HTML's "get an attribute", simplified); undefined at the tag's end. */
function attributeAt(text: string, at: number): Attribute | undefined {
  let i = at;
  while (i < text.length && (SPACE.test(text.charAt(i)) || text[i] === '/')) i++;
  if (i >= text.length || text[i] === '>') return undefined;
  let name = '';
  while (i < text.length && !SPACE.test(text.charAt(i)) && text[i] !== '=' && text[i] !== '>' && text[i] !== '/') name += text.charAt(i++);
  while (i < text.length && SPACE.test(text.charAt(i))) i++;
  if (text[i] !== '=') return { name: name.toLowerCase(), value: '', next: i };
  i++;
  while (i < text.length && SPACE.test(text.charAt(i))) i++;
  const quote = text[i];
  if (quote === '"' || quote === "'") {
    const end = text.indexOf(quote, i + 1);
    if (end < 0) return undefined;
    return { name: name.toLowerCase(), value: text.slice(i + 1, end), next: end + 1 };
  }
  const start = i;
  while (i < text.length && !SPACE.test(text.charAt(i)) && text[i] !== '>') i++;
  return { name: name.toLowerCase(), value: text.slice(start, i), next: i };
}

/** What one `<meta>` declares, by HTML's prescan rules; `next` is where its tag ends. */
function metaAt(text: string, at: number): { encoding: string | undefined; next: number } {
  const seen = new Set<string>();
  let pragma = false;
  let needPragma: boolean | undefined;
  let label: string | undefined;
  let i = at;
  for (let attribute = attributeAt(text, i); attribute !== undefined; attribute = attributeAt(text, i)) {
    i = attribute.next;
    if (seen.has(attribute.name)) continue;
    seen.add(attribute.name);
    if (attribute.name === 'http-equiv') pragma = pragma || attribute.value.toLowerCase() === 'content-type';
    else if (attribute.name === 'content' && label === undefined) {
      label = charsetInContent(attribute.value);
      if (label !== undefined) needPragma = true;
    } else if (attribute.name === 'charset') {
      label = attribute.value;
      needPragma = false;
    }
  }
  const next = Math.max(i, text.indexOf('>', i)) + 1;
  if (needPragma === undefined || (needPragma && !pragma) || label === undefined) return { encoding: undefined, next };
  const encoding = encodingOf(label);
  // A page cannot declare itself UTF-16 in its own (ASCII-readable) bytes; x-user-defined is windows-1252 here.
  if (encoding === 'utf-16le' || encoding === 'utf-16be') return { encoding: 'utf-8', next };
  return { encoding: encoding === 'x-user-defined' ? 'windows-1252' : encoding, next };
}

/** HTML's prescan: the first `<meta>` declaring a known encoding, comments and other tags skipped. */
function fromMeta(start: string): string | undefined {
  let i = start.indexOf('<');
  while (i >= 0 && i < start.length) {
    if (start.startsWith('<!--', i)) {
      // `<!-->` is a whole comment: the end may share the opening's dashes.
      const end = start.indexOf('-->', i + 2);
      if (end < 0) return undefined;
      i = start.indexOf('<', end + 3);
      continue;
    }
    if (/^<meta[\t\n\f\r /]/i.test(start.slice(i, i + 6))) {
      const meta = metaAt(start, i + 5);
      if (meta.encoding !== undefined) return meta.encoding;
      i = start.indexOf('<', meta.next);
      continue;
    }
    // Another tag: its attributes are passed over whole (a quoted `>` does not end it).
    if (/^<\/?[a-z]/i.test(start.slice(i, i + 3))) {
      let at = i + (start[i + 1] === '/' ? 2 : 1);
      while (at < start.length && !SPACE.test(start.charAt(at)) && start[at] !== '>') at++;
      for (let attribute = attributeAt(start, at); attribute !== undefined; attribute = attributeAt(start, at)) at = attribute.next;
      i = start.indexOf('<', at);
      continue;
    }
    // `<!…>`, `</…>`, `<?…>`: to their `>`.
    const end = /^<[!/?]/.test(start.slice(i, i + 2)) ? start.indexOf('>', i) : i;
    if (end < 0) return undefined;
    i = start.indexOf('<', end + 1);
  }
  return undefined;
}

/** The encoding a browser would read the template in (a TextDecoder name). */
export function templateEncoding(bytes: Uint8Array, contentType: string | string[] | undefined): string {
  const bom = fromBom(bytes);
  if (bom !== undefined) return bom;
  const header = Array.isArray(contentType) ? (contentType[0] ?? '') : (contentType ?? '');
  const declared = fromHeader(header);
  if (declared !== undefined) return declared;
  // Latin-1 maps each byte to one character: positions in the text are positions in the bytes.
  const start = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, PRESCAN_BYTES)).toString('latin1');
  const type = header.split(';')[0]?.trim().toLowerCase();
  const xml = type === 'application/xhtml+xml' ? fromXmlDeclaration(start) : undefined;
  return xml ?? fromMeta(start) ?? 'utf-8';
}

/**
 * The template's text, decoded in its encoding (a byte it cannot map reads as U+FFFD). A NUL reads
 * as U+FFFD too, as a browser shows it: PostgreSQL's text cannot hold one, and the template is kept there.
 */
export function decodeTemplate(bytes: Uint8Array, contentType: string | string[] | undefined): string {
  return storableText(new TextDecoder(templateEncoding(bytes, contentType)).decode(bytes));
}
