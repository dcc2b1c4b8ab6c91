import { createServer, connect, type Socket } from 'node:net';

/**
 * A TCP relay to the database that can go silent: once frozen it passes nothing either way and closes
 * nothing, as a NAT or firewall that dropped an idle connection does (no error, no reset: the client's
 * socket looks open). Connections made while frozen are accepted and left unanswered.
 */
export async function silentRelay(to: string): Promise<{ url: string; freeze(): void; close(): Promise<void> }> {
  const target = new URL(to);
  const sockets = new Set<Socket>();
  let frozen = false;
  const server = createServer((client) => {
    sockets.add(client);
    client.on('error', () => undefined);
    if (frozen) return;
    const upstream = connect(Number(target.port), target.hostname);
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  const url = new URL(to);
  url.host = `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    url: url.toString(),
    freeze: () => {
      frozen = true;
      for (const socket of sockets) {
        socket.unpipe();
        socket.pause();
      }
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((done) => server.close(done));
    },
  };
}
