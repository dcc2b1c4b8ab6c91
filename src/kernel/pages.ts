/**
 * Visits every row of a keyset-paged listing: `page(after)` returns the rows past `after` (the last row
 * of the previous page; undefined for the first), at most `size` of them. Stops after a short page, or
 * before the next page once `more()` says so (a time budget). A row the visitor leaves in place (it could
 * not be settled yet) no longer hides the rows behind it, as re-reading the first page would.
 */
export async function visitPages<T>(
  page: (after: T | undefined) => Promise<readonly T[]>,
  size: number,
  visit: (row: T) => Promise<void>,
  more: () => boolean = () => true,
): Promise<void> {
  let after: T | undefined;
  for (;;) {
    const rows = await page(after);
    for (const row of rows) await visit(row);
    if (rows.length < size || !more()) return;
    after = rows.at(-1);
  }
}
