import net from 'node:net';

/**
 * Ports are drawn below Linux's default ephemeral range (32768–60999). The kernel's own pick
 * (port 0) comes from that range, which is also where every outgoing connection takes its local
 * port: between this check and the child binding the port, a connection could take it
 * (EADDRINUSE at start, seen in CI). Below the range only another listener can.
 */
const LOW_PORT = 20_000;
const HIGH_PORT = 32_767;
const TRIES_PER_PORT = 20;

function listen(server: net.Server, port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      if (err.code === 'EADDRINUSE' || err.code === 'EACCES') resolve(false);
      else reject(err);
    };
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve(true);
    });
  });
}

/** `n` distinct free TCP ports on loopback (held open together, then released). */
export async function freePorts(n: number): Promise<number[]> {
  const servers: net.Server[] = [];
  const taken = new Set<number>();
  try {
    for (let i = 0; i < n; i++) {
      let bound = false;
      for (let t = 0; t < TRIES_PER_PORT && !bound; t++) {
        const port = LOW_PORT + Math.floor(Math.random() * (HIGH_PORT - LOW_PORT + 1));
        if (taken.has(port)) continue;
        const server = net.createServer();
        if (await listen(server, port)) {
          servers.push(server);
          taken.add(port);
          bound = true;
        }
      }
      if (!bound) {
        // A crowded low range: fall back to the kernel's pick.
        const server = net.createServer();
        await listen(server, 0);
        servers.push(server);
      }
    }
    return servers.map((s) => (s.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}
