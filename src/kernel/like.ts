// LIKE patterns from what someone typed: `%`, `_` and `\` taken literally (PostgreSQL's default
// escape character is the backslash), so a search for "50%_off" finds that text, not everything.

/** The text with LIKE's wildcards and escape character escaped. */
export function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A pattern matching values that contain `text`. */
export const likeContains = (text: string): string => `%${likeLiteral(text)}%`;

/** A pattern matching values that start with `text`. */
export const likePrefix = (text: string): string => `${likeLiteral(text)}%`;
