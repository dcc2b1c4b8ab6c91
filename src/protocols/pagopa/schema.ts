// A tiny schema language for the pagoPA messages, written by hand from the official XSD.
// One description per message serves three readers: the decoder (order, cardinality, types),
// the encoder (element order, facets) and the WSDL generator (inline XSD). TypeScript infers the
// value type of every message from the same description, so the wire format is written once.

/** Which XSD built-in a simple type restricts; the generator writes it as the restriction base. */
export type XsdBase = 'string' | 'decimal' | 'int' | 'integer' | 'boolean' | 'date' | 'dateTime' | 'base64Binary';

interface Named {
  /** XSD type name (stText35, ctQrCode…); the WSDL generator emits each named type once. */
  readonly name?: string;
}

export interface StringType extends Named {
  readonly kind: 'string';
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly length?: number;
  /** XSD pattern syntax (implicitly anchored); compiled once with the `u` flag. */
  readonly pattern?: string;
  readonly enumeration?: readonly string[];
}

/** stAmount-like decimals: `\d+\.\d{2}` on the wire, integer euro cents in values. */
export interface AmountType extends Named {
  readonly kind: 'amount';
  readonly minCents: number;
  readonly maxCents: number;
}

export interface IntegerType extends Named {
  readonly kind: 'int';
  readonly base: 'int' | 'integer';
  readonly min?: number;
  readonly max?: number;
  readonly enumeration?: readonly number[];
}

export interface BooleanType extends Named {
  readonly kind: 'boolean';
}
/** xsd:date / xsd:dateTime kept as their lexical form (the node relays them, never computes). */
export interface DateType extends Named {
  readonly kind: 'date';
}
export interface DateTimeType extends Named {
  readonly kind: 'dateTime';
}
export interface Base64Type extends Named {
  readonly kind: 'base64';
  readonly pattern?: string;
}

export type SimpleType = StringType | AmountType | IntegerType | BooleanType | DateType | DateTimeType | Base64Type;

export type Occurs = 'one' | 'optional' | 'many';

export interface ElementDef<N extends string = string, K extends string = string, T extends AnyType = AnyType, O extends Occurs = Occurs> {
  readonly kind: 'element';
  readonly name: N;
  /** Property name in the value (the XML name unless it is not an identifier, e.g. e-mail). */
  readonly key: K;
  readonly type: T;
  readonly occurs: O;
  /** Upper bound for `many` (the lower bound of every list in these schemas is 1). */
  readonly max: number;
}

export interface ChoiceDef<Opts extends readonly ElementDef[] = readonly ElementDef[], R extends boolean = boolean> {
  readonly kind: 'choice';
  readonly options: Opts;
  readonly required: R;
}

export type Particle = ElementDef | ChoiceDef;

export interface ComplexType<P extends readonly Particle[] = readonly Particle[]> extends Named {
  readonly kind: 'complex';
  readonly content: P;
}

export type AnyType = SimpleType | ComplexType;

// ---- builders ----

export const str = (name: string | undefined, facets: Omit<StringType, 'kind' | 'name'> = {}): StringType => ({
  kind: 'string',
  ...(name === undefined ? {} : { name }),
  ...facets,
});
/** A string enumeration whose values type the decoded value (OK | KO, F | G…). */
export function enumStr<const E extends readonly string[]>(
  name: string,
  values: E,
  facets: Omit<StringType, 'kind' | 'name' | 'enumeration'> = {},
): StringType & { readonly enumeration: E } {
  return { kind: 'string', name, ...facets, enumeration: values };
}
export const amount = (name: string, minCents: number): AmountType => ({ kind: 'amount', name, minCents, maxCents: 99_999_999_999 });
export const int = (name: string | undefined, facets: Omit<IntegerType, 'kind' | 'name'>): IntegerType => ({
  kind: 'int',
  ...(name === undefined ? {} : { name }),
  ...facets,
});
export const bool: BooleanType = { kind: 'boolean' };
export const date = (name?: string): DateType => ({ kind: 'date', ...(name === undefined ? {} : { name }) });
export const dateTime = (name?: string): DateTimeType => ({ kind: 'dateTime', ...(name === undefined ? {} : { name }) });
export const base64 = (name?: string, pattern?: string): Base64Type => ({
  kind: 'base64',
  ...(name === undefined ? {} : { name }),
  ...(pattern === undefined ? {} : { pattern }),
});

export function complex<const P extends readonly Particle[]>(name: string | undefined, content: P): ComplexType<P> {
  return { kind: 'complex', ...(name === undefined ? {} : { name }), content };
}

/** A mandatory element (minOccurs 1, maxOccurs 1); `key` renames the value's property. */
export function el<const N extends string, T extends AnyType>(name: N, type: T): ElementDef<N, N, T, 'one'>;
export function el<const N extends string, T extends AnyType, const K extends string>(name: N, type: T, key: K): ElementDef<N, K, T, 'one'>;
export function el(name: string, type: AnyType, key?: string): ElementDef {
  return { kind: 'element', name, key: key ?? name, type, occurs: 'one', max: 1 };
}

/** An optional element (minOccurs 0). */
export function opt<const N extends string, T extends AnyType>(name: N, type: T): ElementDef<N, N, T, 'optional'>;
export function opt<const N extends string, T extends AnyType, const K extends string>(name: N, type: T, key: K): ElementDef<N, K, T, 'optional'>;
export function opt(name: string, type: AnyType, key?: string): ElementDef {
  return { kind: 'element', name, key: key ?? name, type, occurs: 'optional', max: 1 };
}

/** A repeated element, 1..max occurrences; the value is an array. */
export function list<const N extends string, T extends AnyType>(name: N, type: T, max: number): ElementDef<N, N, T, 'many'> {
  return { kind: 'element', name, key: name, type, occurs: 'many', max };
}

export function choice<const Opts extends readonly ElementDef<string, string, AnyType, 'one'>[]>(options: Opts): ChoiceDef<Opts, true> {
  return { kind: 'choice', options, required: true };
}

export function optChoice<const Opts extends readonly ElementDef<string, string, AnyType, 'one'>[]>(options: Opts): ChoiceDef<Opts, false> {
  return { kind: 'choice', options, required: false };
}

// ---- value types inferred from a description ----

type Simplify<T> = T extends unknown ? { [K in keyof T]: T[K] } : never;

export type ValueOf<T> = T extends { readonly kind: 'string'; readonly enumeration: readonly (infer V)[] }
  ? V
  : T extends StringType | DateType | DateTimeType | Base64Type
    ? string
    : T extends AmountType | IntegerType
      ? number
      : T extends BooleanType
        ? boolean
        : T extends ComplexType<infer P>
          ? Simplify<Fields<P>>
          : never;

type ElementField<E> =
  E extends ElementDef<string, infer K, infer T, infer O>
    ? O extends 'one'
      ? { [k in K]: ValueOf<T> }
      : O extends 'optional'
        ? { [k in K]?: ValueOf<T> }
        : { [k in K]: ValueOf<T>[] }
    : never;

type OptionKeys<Opts extends readonly ElementDef[]> = Opts[number]['key'];

/** Exactly one option of a choice is set (or none, for an optional choice). */
type ChoiceField<C> =
  C extends ChoiceDef<infer Opts, infer R>
    ? | {
          [I in keyof Opts]: Opts[I] extends ElementDef<string, infer K, infer T>
            ? { [k in K]: ValueOf<T> } & { [k in Exclude<OptionKeys<Opts>, K>]?: never }
            : never;
        }[number]
      | (R extends true ? never : { [k in OptionKeys<Opts>]?: never })
    : never;

type Field<P> = P extends ElementDef ? ElementField<P> : P extends ChoiceDef ? ChoiceField<P> : never;

export type Fields<P> = P extends readonly [infer H, ...infer Rest] ? Field<H> & Fields<Rest> : unknown;

/** The value a complex type (a message) decodes to and encodes from. */
export type Infer<T extends AnyType> = ValueOf<T>;
