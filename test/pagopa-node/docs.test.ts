import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

// The fault codes a PSP can get are documented where people look: docs/errors.md (the node's table)
// and docs/pagopa.md (English and Italian). Every PPT_* code the node's and the registry's code can
// return is in all three; a code the documents list as "never returned" appears in no source.

const root = resolve(import.meta.dirname, '../..');
const codesIn = (text: string): Set<string> => new Set(text.match(/PPT_[A-Z_]+[A-Z]/g) ?? []);

async function sourceCodes(dirs: string[]): Promise<Set<string>> {
  const codes = new Set<string>();
  for (const dir of dirs) {
    for (const name of await readdir(join(root, dir))) {
      if (!name.endsWith('.ts') || name.endsWith('.test.ts')) continue;
      // Codes are string literals in the sources ('PPT_…'); identifiers like PPT_FAULTS are not codes.
      for (const [, code] of (await readFile(join(root, dir, name), 'utf8')).matchAll(/['`](PPT_[A-Z_]+[A-Z])['`]/g)) codes.add(code ?? '');
    }
  }
  return codes;
}

function tableCodes(markdown: string, heading: RegExp): Set<string> {
  const start = markdown.search(heading);
  assert.ok(start >= 0, `heading ${heading}`);
  const section = markdown.slice(start);
  const end = section.slice(1).search(/\n#{2,3} /);
  const body = end < 0 ? section : section.slice(0, end + 1);
  const rows = body.split('\n').filter((line) => line.startsWith('| `PPT_'));
  return new Set(rows.flatMap((line) => [...codesIn(line.split('|')[1] ?? '')]));
}

test('every fault code the node can return is documented in docs/errors.md and in both languages of docs/pagopa.md', async () => {
  // The node's decisions; the protocol library also makes a few (SOAPAction, a relayed EC KO) but holds the whole catalogue.
  const used = await sourceCodes(['src/modules/pagopa-node', 'src/modules/pagopa-registry', 'src/http/nodo']);
  const known = await sourceCodes(['src/modules/pagopa-node', 'src/modules/pagopa-registry', 'src/http/nodo', 'src/protocols/pagopa']);
  const pagopa = await readFile(join(root, 'docs/pagopa.md'), 'utf8');
  const errors = await readFile(join(root, 'docs/errors.md'), 'utf8');
  const english = tableCodes(pagopa, /### Fault codes Varco returns/);
  const italian = tableCodes(pagopa, /### Codici di errore restituiti da Varco/);
  const errorsTable = new Set([...codesIn(errors)]);
  assert.ok(used.size >= 20, `${used.size} codes found in the sources`);
  assert.deepEqual([...english].sort(), [...italian].sort(), 'both languages list the same codes');
  const never = new Set([
    'PPT_INTERMEDIARIO_PA_SCONOSCIUTO',
    'PPT_INTERMEDIARIO_PA_DISABILITATO',
    'PPT_STAZIONE_INT_PA_SERVIZIO_NONATTIVO',
    'PPT_PAGAMENTO_SCONOSCIUTO',
  ]);
  const returnable = [...used].filter((code) => !never.has(code)).sort();
  assert.deepEqual(
    returnable.filter((code) => !english.has(code)),
    [],
    'missing from docs/pagopa.md',
  );
  assert.deepEqual(
    returnable.filter((code) => !errorsTable.has(code)),
    [],
    'missing from docs/errors.md',
  );
  assert.deepEqual(
    [...english].filter((code) => !known.has(code) || never.has(code)),
    [],
    'documented but never returned by the code',
  );
});
