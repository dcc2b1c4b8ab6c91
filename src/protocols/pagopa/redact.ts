import { escapeAttribute, escapeText } from './write.ts';
import { readXml, textOf, type XmlElement, type XmlNode } from './xml.ts';

// Masking for the exchange log: nodeForPsp requests carry the channel password in clear. Works on
// the raw text, so malformed or truncated messages (which the log keeps too) are masked as well.
// The start tag may be cut short too (`(?:>|$)`): requiring its `>` made every `<password ` without
// one rescan the rest of the text, quadratic time (seconds for 256 KiB of them) on the node's path.
const PASSWORD_CONTENT = /(<(?:[\w.-]+:)?password(?:\s[^>]*)?(?:>|$))((?:[^<]|<!\[CDATA\[[\s\S]*?(?:\]\]>|$))*)/g;

export const PASSWORD_MASK = '********';

/** Replaces the content of every <password> element (any prefix, CDATA included) with a fixed mask. */
export function maskPasswords(xml: string): string {
  return xml.replace(PASSWORD_CONTENT, (_whole, open: string, content: string) => (content === '' ? open : `${open}${PASSWORD_MASK}`));
}

/** What replaces another institution's token, its per-notice elements and its values in a cart's message. */
export const CART_MASK = '********';

/** Values shorter than this are masked only where they are an element's whole text (too common to replace inside text). */
const MIN_LITERAL = 8;

export interface CartMask {
  /** The payment tokens the reader may see; every other `paymentToken` is masked. */
  readonly keep: ReadonlySet<string>;
  /** Other institutions' values (tokens, notice numbers, fiscal codes), masked wherever they appear in a text or attribute. */
  readonly hidden: readonly string[];
}

/** `text` with every `mask.hidden` value (of at least MIN_LITERAL characters, not one the reader keeps) replaced by CART_MASK. */
export function maskCartText(text: string, mask: CartMask): string {
  const literals = [...new Set(mask.hidden)].filter((v) => v.length >= MIN_LITERAL && !mask.keep.has(v)).sort((a, b) => b.length - a.length);
  return literals.reduce((t, value) => t.split(value).join(CART_MASK), text);
}

const isToken = (node: XmlNode): node is XmlElement => node.kind === 'element' && node.local === 'paymentToken';
const hiddenToken = (el: XmlElement, keep: ReadonlySet<string>): boolean => !keep.has(textOf(el).trim());

/** Each element's text in one piece (text and CDATA sections in a row are one value, so one check). */
function joinedChildren(el: XmlElement): XmlNode[] {
  const out: XmlNode[] = [];
  for (const child of el.children) {
    const last = out.at(-1);
    if (child.kind === 'text' && last?.kind === 'text') out[out.length - 1] = { kind: 'text', text: last.text + child.text };
    else out.push(child);
  }
  return out;
}

/**
 * A cart outcome's message (sendPaymentOutcomeV2 and its answer) as one institution of the cart may read
 * it: every `paymentToken` (any namespace) whose text is not one of `keep` has its text replaced by
 * CART_MASK, and so has every text of an element grouping a masked token with other fields (a
 * `marcaDaBollo`: its transfer and attachment); the `hidden` values are masked wherever they appear
 * (a fault's description names a token). The message is read as the node reads requests (readXml:
 * fast-xml-parser, entities off, no DTD, bounded) and written back from that tree, so what is masked is
 * what the parser saw: comments and processing instructions are dropped, CDATA becomes escaped text,
 * references are written as characters. Undefined when the text is not a message readXml reads (cut
 * short, malformed): the caller shows nothing of it rather than an unmasked copy.
 */
export function maskCartTokens(xml: string, mask: CartMask): string | undefined {
  const read = readXml(xml);
  if (!read.ok) return undefined;
  const clean = (text: string): string => maskCartText(text, mask);
  const out: string[] = [];
  // The tree as read, each element with its prefix and attributes (namespace declarations included).
  const write = (el: XmlElement, masked: boolean): void => {
    const name = el.prefix === '' ? el.local : `${el.prefix}:${el.local}`;
    out.push(`<${name}`);
    for (const a of el.attributes) out.push(` ${a.prefix === '' ? a.local : `${a.prefix}:${a.local}`}="${escapeAttribute(clean(a.value))}"`);
    out.push('>');
    if (isToken(el) && hiddenToken(el, mask.keep)) out.push(CART_MASK);
    else {
      const group =
        masked || (el.children.some((c) => isToken(c) && hiddenToken(c, mask.keep)) && el.children.some((c) => c.kind === 'element' && !isToken(c)));
      for (const child of joinedChildren(el)) {
        if (child.kind === 'element') write(child, group);
        else out.push(escapeText(group && child.text.trim() !== '' ? CART_MASK : clean(child.text)));
      }
    }
    out.push(`</${name}>`);
  };
  write(read.root, false);
  return `<?xml version="1.0" encoding="UTF-8"?>${out.join('')}`;
}
