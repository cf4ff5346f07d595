/**
 * A TCP proxy in front of a test server that can cut every open connection at once: a network drop
 * as a browser sees it (an open event stream ends mid-way), or a database server going down and
 * coming back as its clients see it, without touching the server.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface DroppingProxy {
  url: string;
  /** Ends every connection open through the proxy now; new ones are accepted again. */
  dropAll(): void;
  /** While on, new connections are cut at once (the server is down); off: accepted again. */
  refuse(on: boolean): void;
  /** While on, nothing passes either way (a frozen server: connections open, no answers). */
  freeze(on: boolean): void;
  close(): Promise<void>;
}

export async function startDroppingProxy(target: string): Promise<DroppingProxy> {
  const { hostname, port } = new URL(target);
  const open = new Set<Socket>();
  let refusing = false;
  let frozen = false;
  const server: Server = createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host: hostname, port: Number(port) });
    for (const s of [client, upstream]) {
      open.add(s);
      s.on('close', () => open.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream);
    upstream.pipe(client);
    if (frozen) for (const s of [client, upstream]) s.pause();
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    dropAll: () => {
      for (const s of open) s.destroy();
    },
    refuse: (on) => {
      refusing = on;
    },
    freeze: (on) => {
      frozen = on;
      for (const s of open) {
        if (on) s.pause();
        else s.resume();
      }
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
