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
