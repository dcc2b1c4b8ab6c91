import { after } from 'node:test';
import { connect, type TLSSocket } from 'node:tls';

// A raw HTTP/1.1 client over TLS for the cases no HTTP client produces on purpose: a body trickled
// byte by byte, headers that never end, a request line Node cannot parse, a second request on a
// kept-alive connection. It records every byte received and when the server closed the connection.

export interface RawConnection {
  socket: TLSSocket;
  /** Everything received so far, as text. */
  received(): string;
  /** Resolves with the milliseconds from connecting until the server closed the connection. */
  closed: Promise<number>;
  write(text: string): void;
  /** Writes `text` one character every `everyMs` until the connection closes or `text` ends. */
  trickle(text: string, everyMs: number): Promise<void>;
  /** Resolves once `pattern` matches what was received (rejects after `timeoutMs`). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

export async function openRaw(port: number, ca?: string): Promise<RawConnection> {
  const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ...(ca ? { ca } : { rejectUnauthorized: false }) });
  await new Promise<void>((done, fail) => {
    socket.once('secureConnect', () => done());
    socket.once('error', fail);
  });
  const started = performance.now();
  let text = '';
  let ended = false;
  const listeners = new Set<() => void>();
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString('latin1');
    for (const l of listeners) l();
  });
  // A reset after the answer is still a close; what matters is when it happened.
  socket.on('error', () => undefined);
  const closed = new Promise<number>((done) =>
    socket.once('close', () => {
      ended = true;
      done(performance.now() - started);
    }),
  );
  after(() => socket.destroy());
  return {
    socket,
    received: () => text,
    closed,
    write: (chunk) => {
      if (!ended) socket.write(chunk);
    },
    trickle: async (chunk, everyMs) => {
      for (const c of chunk) {
        if (ended) return;
        socket.write(c);
        await new Promise((done) => setTimeout(done, everyMs));
      }
    },
    waitFor: (pattern, timeoutMs = 5000) =>
      new Promise((done, fail) => {
        const check = (): void => {
          if (!pattern.test(text)) return;
          listeners.delete(check);
          clearTimeout(timer);
          done(text);
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          fail(new Error(`no ${pattern} within ${timeoutMs} ms; received: ${JSON.stringify(text.slice(0, 500))}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      }),
  };
}

/** `closed`, or undefined when the connection is still open after `ms`. */
export function closedWithin(connection: RawConnection, ms: number): Promise<number | undefined> {
  return Promise.race([connection.closed, new Promise<undefined>((done) => setTimeout(() => done(undefined), ms))]);
}
