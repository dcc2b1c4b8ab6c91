// Progress of a long command (backup, restore, issue 17): on a terminal one line rewritten in place
// with the counts and the rate; otherwise (a log file, a pipe) one plain line per finished part.

export interface Progress {
  /** `n` more items of `part` done. */
  add(part: string, n: number): void;
  /** `part` is complete. */
  finish(part: string): void;
  /** Everything is complete: the summary line. */
  done(summary: string): void;
}

interface Out {
  write(text: string): unknown;
  isTTY?: boolean;
}

export function createProgress(out: Out, unit: string, now: () => number = () => performance.now()): Progress {
  const tty = out.isTTY === true;
  const started = now();
  let total = 0;
  let inPart = 0;
  let lastDraw = 0;
  const rate = (): string => `${Math.round(total / Math.max((now() - started) / 1000, 0.001))} ${unit}/s`;
  const draw = (part: string, force: boolean): void => {
    if (!tty || (!force && now() - lastDraw < 100)) return;
    lastDraw = now();
    out.write(`\r\x1b[2K${part}: ${inPart} ${unit} (total ${total}, ${rate()})`);
  };
  return {
    add: (part, n) => {
      total += n;
      inPart += n;
      draw(part, false);
    },
    finish: (part) => {
      if (tty) draw(part, true);
      else out.write(`${part}: ${inPart} ${unit} (total ${total}, ${rate()})\n`);
      inPart = 0;
    },
    done: (summary) => {
      out.write(`${tty ? '\r\x1b[2K' : ''}${summary} (${total} ${unit}, ${rate()})\n`);
    },
  };
}
