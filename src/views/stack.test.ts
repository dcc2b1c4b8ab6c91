import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stackTables } from './stack.ts';

test('a table with a heading row stacks: each cell carries its column heading, tags and empty headings left out', () => {
  const out = stackTables(
    '<p>x</p><table data-env="test"><thead><tr><th>Name</th><th><abbr title="Identifier">ID</abbr></th><th></th></tr></thead><tbody><tr><td>Ada &amp; co</td><td><code>org_1</code></td><td><a href="/x">Open</a></td></tr></tbody></table>',
  );
  assert.equal(
    out,
    '<p>x</p><table data-env="test"><thead><tr><th>Name</th><th><abbr title="Identifier">ID</abbr></th><th></th></tr></thead><tbody><tr><td data-label="Name">Ada &amp; co</td><td data-label="ID"><code>org_1</code></td><td><a href="/x">Open</a></td></tr></tbody></table>',
  );
});

test('colspan (a spanning cell gets no label), row headings, existing labels and classes are kept in step with the columns', () => {
  const out = stackTables(
    '<table class="wide"><thead><tr><th colspan="2">When &quot;now&quot;</th><th>State</th></tr></thead><tbody><tr><th scope="row">a</th><td>b</td><td data-label="Own">c</td></tr><tr><td colspan="2">d</td><td>e</td></tr></tbody></table>',
  );
  assert.match(out, /^<table class="wide">/);
  assert.match(out, /<th scope="row">a<\/th><td data-label="When &quot;now&quot;">b<\/td><td data-label="Own">c<\/td>/);
  assert.match(out, /<td colspan="2">d<\/td><td data-label="State">e<\/td>/);
});

test('a label/value table without a heading row and cells already labelled are left as they are', () => {
  const plain = '<table><tbody><tr><th>Order</th><td>ORD-1</td></tr></tbody></table>';
  assert.equal(stackTables(plain), plain);
  const marked = '<table class="stack"><thead><tr><th>A</th></tr></thead><tbody><tr><td data-label="A">1</td></tr></tbody></table>';
  assert.equal(stackTables(marked), marked);
});
