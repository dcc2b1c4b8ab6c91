// Tables on a phone: below 600 px every data table (one with a <thead>) shows each row as a block
// of "column: value" lines (see `table:has(>thead)` in the stylesheet, layout.ts). CSS can only show a
// column's heading beside a cell through an attribute of that cell, so the layout copies each
// heading into its column's cells as data-label, once, here, instead of every view repeating its
// headings in every cell. It reads only markup Varco's own templates wrote (every interpolated
// value is escaped, so no text can open a tag), and leaves alone tables without a heading row
// (label/value tables already read well as lines) and cells that carry their own data-label.

const TABLE = /<table\b([^>]*)>([\s\S]*?)<\/table>/g;
const THEAD = /<thead\b[^>]*>([\s\S]*?)<\/thead>/;
const HEADING = /<th\b([^>]*)>([\s\S]*?)<\/th>/g;
const ROW = /<tr\b[^>]*>[\s\S]*?<\/tr>/g;
const CELL = /<(td|th)\b([^>]*)>/g;

function span(attributes: string): number {
  const n = Number(/\bcolspan="(\d+)"/.exec(attributes)?.[1] ?? '1');
  return Number.isInteger(n) && n > 0 ? n : 1;
}

/** The heading of each column, as escaped text (tags dropped), '' for an empty heading. */
function headings(thead: string): string[] {
  const labels: string[] = [];
  for (const [, attributes = '', content = ''] of thead.matchAll(HEADING)) {
    const text = content
      .replace(/<[^>]*>/g, '')
      .replace(/\s+/g, ' ')
      .trim();
    for (let i = 0; i < span(attributes); i++) labels.push(text);
  }
  return labels;
}

function labelRow(row: string, labels: readonly string[]): string {
  let column = 0;
  return row.replace(CELL, (cell: string, tag: string, attributes: string) => {
    const label = labels[column] ?? '';
    column += span(attributes);
    // A cell across several columns (a row's details under it) is no one column's value.
    if (tag !== 'td' || label === '' || span(attributes) > 1 || /\bdata-label=/.test(attributes)) return cell;
    return `<td data-label="${label.replace(/"/g, '&quot;')}"${attributes}>`;
  });
}

/** `markup` with the cells of every table that has a heading row labelled with their column's heading. */
export function stackTables(markup: string): string {
  return markup.replace(TABLE, (table: string, attributes: string, inner: string) => {
    const thead = THEAD.exec(inner);
    if (!thead) return table;
    const labels = headings(thead[1] ?? '');
    const body = inner.slice(0, thead.index) + thead[0] + inner.slice(thead.index + thead[0].length).replace(ROW, (row) => labelRow(row, labels));
    return `<table${attributes}>${body}</table>`;
  });
}
