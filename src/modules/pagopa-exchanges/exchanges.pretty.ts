// A small XML pretty-printer for the exchange log's pages: one element per line, indented, with an
// element holding only text kept on one line. It reads anything: the log keeps malformed and
// truncated messages too, so this is a tolerant tokenizer, not a parser (the codec's reader refuses
// what this must still show). Nothing is interpreted: the output is text, escaped by the page.
// Linear in the input; indentation is capped so a deeply nested message cannot blow the page up.

const MAX_DEPTH_SHOWN = 24;
const INDENT = '  ';

type Kind = 'open' | 'close' | 'leaf' | 'text';

function kindOf(token: string): Kind {
  if (!token.startsWith('<')) return 'text';
  if (token.startsWith('</')) return 'close';
  if (token.startsWith('<!') || token.startsWith('<?') || token.endsWith('/>') || !token.endsWith('>') || token === '<>') return 'leaf';
  return 'open';
}

// Sections that end with a marker of their own; an unterminated one runs to the end of the text.
const SECTIONS: ReadonlyArray<[string, string]> = [
  ['<![CDATA[', ']]>'],
  ['<!--', '-->'],
  ['<?', '?>'],
];

/** Where the token starting at `i` ends: scanned by hand, each character looked at once. */
function tokenEnd(xml: string, i: number): number {
  if (xml[i] !== '<') {
    const next = xml.indexOf('<', i);
    return next === -1 ? xml.length : next;
  }
  for (const [open, close] of SECTIONS) {
    if (xml.startsWith(open, i)) {
      const found = xml.indexOf(close, i + open.length);
      return found === -1 ? xml.length : found + close.length;
    }
  }
  // A tag ends at its `>`; a `<` before it starts the next token (the tag was broken).
  let j = i + 1;
  while (j < xml.length && xml[j] !== '<' && xml[j] !== '>') j++;
  return j < xml.length && xml[j] === '>' ? j + 1 : j;
}

function tokens(xml: string): Array<{ kind: Kind; text: string }> {
  const out: Array<{ kind: Kind; text: string }> = [];
  for (let i = 0; i < xml.length;) {
    const end = tokenEnd(xml, i);
    const raw = xml.slice(i, end);
    const kind = kindOf(raw);
    const text = kind === 'text' ? raw.trim() : raw;
    if (text !== '') out.push({ kind, text });
    i = end;
  }
  return out;
}

/** The message laid out for reading (text without any markup comes back trimmed). */
export function prettyXml(xml: string): string {
  const list = tokens(xml);
  const lines: string[] = [];
  let depth = 0;
  const push = (text: string): void => {
    lines.push(INDENT.repeat(Math.min(depth, MAX_DEPTH_SHOWN)) + text);
  };
  for (let i = 0; i < list.length; i++) {
    const token = list[i];
    if (!token) break;
    const next = list[i + 1];
    const after = list[i + 2];
    if (token.kind === 'open' && next?.kind === 'close') {
      push(token.text + next.text); // <a></a>
      i += 1;
    } else if (token.kind === 'open' && next?.kind === 'text' && after?.kind === 'close') {
      push(token.text + next.text + after.text); // <a>text</a>
      i += 2;
    } else if (token.kind === 'open') {
      push(token.text);
      depth++;
    } else if (token.kind === 'close') {
      depth = Math.max(0, depth - 1);
      push(token.text);
    } else {
      push(token.text);
    }
  }
  return lines.join('\n');
}
