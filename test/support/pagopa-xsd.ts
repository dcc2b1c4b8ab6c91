// Validation of pagoPA messages against the official XSD (copied unchanged under
// test/fixtures/pagopa/xsd) with libxml2 compiled to WebAssembly: no native tool needed.
import { readFileSync } from 'node:fs';
import { validateXML, type XMLFileInfo } from 'xmllint-wasm';

const FIXTURES = new URL('../fixtures/pagopa/', import.meta.url);
const SCHEMA_FILES = ['xsd/wsdl/xsd/nodeForPsp.xsd', 'xsd/wsdl/xsd/paForNode.xsd', 'xsd/xsd-common/sac-common-types-1.0.xsd'] as const;

const file = (path: string): XMLFileInfo => ({ fileName: path, contents: readFileSync(new URL(path, FIXTURES), 'utf8') });

export interface Named {
  readonly name: string;
  readonly xml: string;
}

/** libxml2 in WebAssembly runs out of memory on thousands of files at once: validate in batches. */
const BATCH = 200;

async function validate(messages: readonly Named[], schema: XMLFileInfo, preload: XMLFileInfo[]): Promise<Map<string, string[]>> {
  const errors = new Map<string, string[]>(messages.map((m) => [m.name, []]));
  for (let start = 0; start < messages.length; start += BATCH) {
    const batch = messages.slice(start, start + BATCH);
    const inputs = batch.map((m, i) => ({ fileName: `message-${i}.xml`, contents: m.xml }));
    const result = await validateXML({ xml: inputs, schema, preload, maxMemoryPages: 1024 });
    for (const error of result.errors) {
      const index = Number(/message-(\d+)\.xml/.exec(error.loc?.fileName ?? error.rawMessage)?.[1] ?? -1);
      const name = batch[index]?.name ?? '(unknown)';
      errors.set(name, [...(errors.get(name) ?? []), error.message]);
    }
  }
  return errors;
}

/** Whole SOAP 1.1 envelopes: the Body element is checked strictly against the official schemas. */
export function validateEnvelopes(messages: readonly Named[]): Promise<Map<string, string[]>> {
  return validate(messages, file('envelope/soap-envelope-1.1.xsd'), SCHEMA_FILES.map(file));
}

/** Bare body elements (namespace declared on them) against a schema given as text. */
export function validateAgainstSchema(messages: readonly Named[], schemaText: string): Promise<Map<string, string[]>> {
  return validate(messages, { fileName: 'schema.xsd', contents: schemaText }, []);
}

/** The official files and their bytes, for the provenance check. */
export function officialFixture(path: string): Buffer {
  return readFileSync(new URL(`xsd/${path}`, FIXTURES));
}
