/**
 * The rules of a card alias (Ingenico's Alias Manager, docs/reference/ogone/directlink.md "Aliases"):
 * which name an order asks for, and whether that name may be stored. Pure functions, no I/O.
 *
 * - `ALIASOPERATION=BYPSP` (or the older `BYOGONE`) asks the platform to name the token: Varco makes
 *   a random name and ignores ALIAS. Otherwise (`BYMERCHANT`, the default) ALIAS is the shop's name.
 * - A name is 1–50 characters of letters, digits and `_ . @ : + -` (an identifier, shown in feedback,
 *   the portal and logs), and never holds a card number: `50001216` "The alias must be different than
 *   the card number", the platform's code. The CHECK constraint of `card_aliases` repeats the shape.
 * - ALIASUSAGE is the text shown to the customer about why the card is kept (255 characters).
 */
import { randomUUID } from 'node:crypto';
import { maskPans } from '../../kernel/card-data.ts';

export const ALIAS_MAX = 50;
export const ALIAS_USAGE_MAX = 255;
const ALIAS_SHAPE = /^[A-Za-z0-9_.@:+-]+$/;

export type AliasNameProblem = 'too_long' | 'invalid' | 'card_number';

/** What is wrong with a merchant's alias name, or undefined when it may be stored. */
export function aliasNameProblem(name: string): AliasNameProblem | undefined {
  // Checked first: a card number must not be echoed back in the refusal's text either.
  if (maskPans(name) !== name) return 'card_number';
  if (name.length > ALIAS_MAX) return 'too_long';
  if (!ALIAS_SHAPE.test(name)) return 'invalid';
  return undefined;
}

/** A name the platform makes (BYPSP): 32 upper-case hexadecimal digits, as unguessable as a token. */
export function generatedAliasName(): string {
  return randomUUID().replaceAll('-', '').toUpperCase();
}

/** True when ALIASOPERATION asks Varco to name the token. */
export function namedByPlatform(operation: string | undefined): boolean {
  const op = operation?.trim().toUpperCase();
  return op === 'BYPSP' || op === 'BYOGONE';
}
