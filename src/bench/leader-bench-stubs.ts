/**
 * `bench leader`'s stub engines: tiny HTTP servers that answer every inference request at once
 * with a fixed OpenAI-style completion (and `/health` with 200). Every engine in the cluster file
 * points at one of them, so a pick's engine always answers and what the picks measure is the
 * gateway, not an engine. They run in the pick client's process (leader-bench-pick-child.ts):
 * at the bench's pick rates they cost little CPU.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const COMPLETION = JSON.stringify({
  id: 'cmpl-bench',
  object: 'chat.completion',
  created: 0,
  model: 'bench',
  choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 8, completion_tokens: 1, total_tokens: 9 },
});

/** Running stub engines. */
export interface StubEngines {
  readonly ports: readonly number[];
  close(): Promise<void>;
}

/** Starts `count` stub engines on free loopback ports. */
export async function startStubEngines(count: number, host: string): Promise<StubEngines> {
  const servers: http.Server[] = [];
  for (let i = 0; i < count; i++) {
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const body = req.url === '/health' ? 'ok' : COMPLETION;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(body);
      });
    });
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    servers.push(server);
  }
  return {
    ports: servers.map((s) => (s.address() as AddressInfo).port),
    close: async () => {
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.closeAllConnections();
              s.close(() => resolve());
            }),
        ),
      );
    },
  };
}
