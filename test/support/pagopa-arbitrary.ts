// fast-check arbitraries derived from the codec's own message descriptions: random values that
// satisfy every facet Varco knows. Encoding them and validating against the OFFICIAL XSD checks
// that the descriptions are not looser than pagoPA's schemas anywhere.
import fc from 'fast-check';
import type { AnyType, ComplexType, ElementDef, Particle, SimpleType } from '../../src/protocols/pagopa/schema.ts';

// Characters that make text interesting on the wire: markup, quotes, CR/LF/tab, accents, astral.
const CHARS = fc.constantFrom('a', 'Z', '7', ' ', '&', '<', '>', '"', "'", 'è', '€', '😀', '\n', '\t', '\r', ']');

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
const tz = fc.constantFrom('', 'Z', '+01:00', '-14:00', '+14:00');
const day = fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true });

function simple(t: SimpleType): fc.Arbitrary<unknown> {
  switch (t.kind) {
    case 'string': {
      if (t.enumeration) return fc.constantFrom(...t.enumeration);
      if (t.pattern) {
        const re = new RegExp(`^(?:${t.pattern})$`, 'u');
        return fc
          .stringMatching(re)
          .filter((s) => (t.maxLength === undefined || [...s].length <= t.maxLength) && (t.length === undefined || [...s].length === t.length));
      }
      const min = t.length ?? t.minLength ?? 0;
      return fc.string({ unit: CHARS, minLength: min, maxLength: t.length ?? t.maxLength ?? Math.max(min, 40) });
    }
    case 'amount':
      return fc.oneof(fc.integer({ min: t.minCents, max: 10_000_00 }), fc.integer({ min: t.minCents, max: t.maxCents }));
    case 'int':
      if (t.enumeration) return fc.constantFrom(...t.enumeration);
      return fc.integer({ min: t.min ?? -2_147_483_648, max: t.max ?? 2_147_483_647 });
    case 'boolean':
      return fc.boolean();
    case 'date':
      return fc.tuple(day, tz).map(([d, z]) => `${d.toISOString().slice(0, 10)}${z}`);
    case 'dateTime':
      return fc
        .tuple(day, fc.constantFrom('', '.5', '.123456'), tz)
        .map(
          ([d, frac, z]) =>
            `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${frac}${z}`,
        );
    case 'base64':
      return fc.uint8Array({ minLength: 3, maxLength: 54 }).map((b) => Buffer.from(b).toString('base64'));
  }
}

function elementValue(e: ElementDef): fc.Arbitrary<unknown> {
  const one = valueOf(e.type);
  return e.occurs === 'many' ? fc.array(one, { minLength: 1, maxLength: e.max }) : one;
}

/** One record field per particle; absent optional elements are left out (not set to undefined). */
function particle(p: Particle): fc.Arbitrary<Record<string, unknown>> {
  if (p.kind === 'element') {
    const value = elementValue(p).map((v) => ({ [p.key]: v }));
    return p.occurs === 'optional' ? fc.oneof(fc.constant({}), value) : value;
  }
  const options = p.options.map((o) => elementValue(o).map((v) => ({ [o.key]: v })));
  return p.required ? fc.oneof(...options) : fc.oneof(fc.constant({}), ...options);
}

function complex(t: ComplexType): fc.Arbitrary<Record<string, unknown>> {
  return fc.tuple(...t.content.map(particle)).map((parts) => Object.assign({}, ...parts) as Record<string, unknown>);
}

export function valueOf(t: AnyType): fc.Arbitrary<unknown> {
  return t.kind === 'complex' ? complex(t) : simple(t);
}
