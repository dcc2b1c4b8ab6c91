// Writes in groups: one write in flight at a time, and the items that arrive meanwhile wait and go
// together in the next one (a multi-row statement), so a busy process makes one round trip and one
// commit per group instead of one per item, while an idle one still writes each item at once. Every
// caller waits for its own item's write. Used by the outbox worker's outcomes and the pagoPA
// exchange log (issue 15).

export interface GroupWriterOptions<T, R> {
  /** Writes a group; one result per item, in the items' order. */
  write(items: T[]): Promise<R[]>;
  /** At most this many items per group. */
  maxItems: number;
  /** With `sizeOf`: a group's total size stays under this (an item bigger alone still goes, alone). */
  maxSize?: number;
  sizeOf?: (item: T) => number;
  /**
   * When a group's write fails, write its items one by one, so an item the database refuses fails
   * only its own caller; otherwise every caller of the group gets the error.
   */
  isolateFailures?: boolean;
}

interface Waiting<T, R> {
  item: T;
  size: number;
  done: (result: R) => void;
  fail: (error: unknown) => void;
}

/** The function to call per item; it resolves with the item's result once its group is written. */
export function groupWriter<T, R>(options: GroupWriterOptions<T, R>): (item: T) => Promise<R> {
  const maxSize = options.maxSize ?? Number.POSITIVE_INFINITY;
  const waiting: Array<Waiting<T, R>> = [];
  let writing = false;

  const nextGroup = (): Array<Waiting<T, R>> => {
    let size = 0;
    let count = 0;
    while (count < waiting.length && count < options.maxItems) {
      const next = waiting[count];
      if (next === undefined || (count > 0 && size + next.size > maxSize)) break;
      size += next.size;
      count++;
    }
    return waiting.splice(0, count);
  };

  const settle = async (group: Array<Waiting<T, R>>): Promise<void> => {
    const results = await options.write(group.map((w) => w.item));
    group.forEach((w, i) => w.done(results[i] as R));
  };

  async function writeGroups(): Promise<void> {
    writing = true;
    try {
      for (let group = nextGroup(); group.length > 0; group = nextGroup()) {
        try {
          await settle(group);
        } catch (error) {
          if (options.isolateFailures === true && group.length > 1) {
            for (const w of group) await settle([w]).catch(w.fail);
          } else for (const w of group) w.fail(error);
        }
      }
    } finally {
      writing = false;
    }
  }

  return (item) =>
    new Promise<R>((done, fail) => {
      waiting.push({ item, size: options.sizeOf?.(item) ?? 0, done, fail });
      if (!writing) void writeGroups();
    });
}
