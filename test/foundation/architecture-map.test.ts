import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// docs/architecture.md draws the modules and what each may import (issue 12). This test keeps the
// picture true: every arrow between modules (and from a module to a pure library) is an import the
// code makes, and every such import is an arrow. `audit` is left out of the picture on purpose (every
// module writes audit rows), as the document says.

const ROOT = join(import.meta.dirname, '..', '..');
const MODULES = join(ROOT, 'src', 'modules');
const LIBRARIES: Record<string, string> = { 'protocols/ogone': 'protocols/ogone', 'protocols/pagopa': 'protocols/pagopa', pki: 'pki' };
const LEFT_OUT = new Set(['audit']);

interface Picture {
  nodes: Map<string, string>; // mermaid id → module or library name
  edges: Set<string>; // "from -> to" by name
}

/** Reads the first mermaid block: node ids with their labels, and the arrows between them. */
export function readPicture(markdown: string): Picture {
  const block = /```mermaid\n([\s\S]*?)```/.exec(markdown)?.[1];
  assert.ok(block, 'docs/architecture.md has a mermaid picture');
  const nodes = new Map<string, string>();
  const arrows: Array<[string, string]> = [];
  for (const raw of block.split('\n')) {
    const line = raw.trim();
    const arrow = /^([\w-]+)\s*-->\s*([\w-]+)$/.exec(line);
    if (arrow?.[1] && arrow[2]) {
      arrows.push([arrow[1], arrow[2]]);
      continue;
    }
    const labelled = /^([\w-]+)\["([^"<( ]+)/.exec(line);
    if (labelled?.[1] && labelled[2]) nodes.set(labelled[1], labelled[2].trim());
    else if (/^[\w-]+$/.test(line) && line !== 'end') nodes.set(line, line);
  }
  const edges = new Set<string>();
  for (const [from, to] of arrows) {
    const a = nodes.get(from);
    const b = nodes.get(to);
    if (a !== undefined && b !== undefined) edges.add(`${a} -> ${b}`);
  }
  return { nodes, edges };
}

function moduleNames(): string[] {
  return readdirSync(MODULES, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

/** What the modules' own (non-test) files import: other modules through `../X/`, libraries through `../../protocols/X/` or `../../pki/`. */
function importsInCode(modules: string[]): Set<string> {
  const edges = new Set<string>();
  for (const module of modules) {
    if (LEFT_OUT.has(module)) continue;
    const dir = join(MODULES, module);
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    for (const file of files) {
      const text = readFileSync(join(dir, file), 'utf8');
      for (const m of text.matchAll(/from '(?:\.\.\/)+(protocols\/[a-z]+|pki|[a-z-]+)\//g)) {
        const target = m[1] ?? '';
        if (target === module || LEFT_OUT.has(target)) continue;
        if (modules.includes(target) || target in LIBRARIES) edges.add(`${module} -> ${target}`);
      }
    }
  }
  return edges;
}

const markdown = readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8');
const picture = readPicture(markdown);
const modules = moduleNames();

test('the picture in docs/architecture.md shows every module of src/modules, and no module that is gone', () => {
  const drawn = new Set(picture.nodes.values());
  assert.deepEqual(
    modules.filter((m) => !drawn.has(m)),
    [],
    'add the module to the picture',
  );
  assert.ok(!drawn.has('ecommerce'), 'modules/ecommerce is gone (issue 12)');
});

test("the picture's arrows between modules are exactly the imports the code makes", () => {
  const code = importsInCode(modules);
  const names = new Set([...modules, ...Object.keys(LIBRARIES)]);
  const drawn = new Set([...picture.edges].filter((e) => e.split(' -> ').every((n) => names.has(n))));
  assert.deepEqual([...code].filter((e) => !drawn.has(e)).sort(), [], 'imports missing from the picture: draw them (or remove the import)');
  assert.deepEqual([...drawn].filter((e) => !code.has(e)).sort(), [], 'arrows no import makes: remove them from the picture');
  assert.ok(code.size > 20, 'the import scan finds the modules’ dependencies');
});

test('the picture reader sees arrows and labelled nodes (so the comparison above can fail)', () => {
  const sample = readPicture('```mermaid\nflowchart TD\n  a\n  b["pagopa-node"]\n  a --> b\n  a --> unknown\n```\n');
  assert.deepEqual([...sample.edges], ['a -> pagopa-node']);
});
