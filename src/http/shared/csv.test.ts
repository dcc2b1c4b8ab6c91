import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { csvCell, toCsv } from './csv.ts';

test('cells are quoted when needed and formulas are defused', () => {
  assert.equal(csvCell('plain'), 'plain');
  assert.equal(csvCell('a,b'), '"a,b"');
  assert.equal(csvCell('say "hi"'), '"say ""hi"""');
  assert.equal(csvCell('=HYPERLINK("http://evil")'), '"\'=HYPERLINK(""http://evil"")"');
  assert.equal(csvCell('+39 06'), "'+39 06");
  assert.equal(csvCell('@SUM(A1)'), "'@SUM(A1)");
  assert.equal(csvCell(-5), '-5', 'numbers are numbers');
  assert.equal(csvCell(null), '');
  assert.equal(csvCell(new Date('2026-12-04T10:00:00Z')), '2026-12-04T10:00:00.000Z');
});

test('any text survives a round trip through a CSV reader and never starts a formula', () => {
  // A minimal RFC 4180 reader for one row.
  const read = (line: string): string[] => {
    const out: string[] = [];
    let i = 0;
    while (i <= line.length) {
      if (line[i] === '"') {
        let v = '';
        i++;
        for (;;) {
          if (line[i] === '"' && line[i + 1] === '"') {
            v += '"';
            i += 2;
          } else if (line[i] === '"') {
            i++;
            break;
          } else v += line[i++];
        }
        out.push(v);
        i++;
      } else {
        const end = line.indexOf(',', i) === -1 ? line.length : line.indexOf(',', i);
        out.push(line.slice(i, end));
        i = end + 1;
      }
    }
    return out;
  };
  fc.assert(
    fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 5 }), (cells) => {
      const csv = toCsv(cells, []).slice(1, -2);
      const back = read(csv);
      assert.equal(back.length, cells.length);
      back.forEach((v, k) => {
        const original = cells[k] ?? '';
        assert.equal(v, /^[=+\-@\t\r]/.test(original) ? `'${original}` : original);
        assert.doesNotMatch(v, /^[=+\-@]/);
      });
    }),
  );
});
