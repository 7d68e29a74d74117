/**
 * The floor a Node gateway can reach on this machine, run as its own process
 * (`node reference-proxy.js <port> <upstreamPort>...`): a bare `node:http` proxy that reads the
 * body, `JSON.parse`s it (routing needs the model), forwards it over a keep-alive agent
 * round-robin, and pipes the answer back. No routing, admission, metrics or timeouts beyond
 * a per-request socket timeout. Prints `listening <port>` once ready. `GET /__bench/stats` answers
 * `{ cpuUs, requests }` (its own process CPU and requests proxied) so the benchmark can compare
 * CPU per request with the gateway's.
 */
import http from 'node:http';

const [listenArg, ...upstreamArgs] = process.argv.slice(2);
const upstreams = upstreamArgs.map(Number);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1024, scheduling: 'lifo' });
let next = 0;
let served = 0;

const server = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  if (req.method === 'GET' && req.url === '/__bench/stats') {
    const cpu = process.cpuUsage();
    res.end(JSON.stringify({ cpuUs: cpu.user + cpu.system, requests: served }));
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    try {
      JSON.parse(body.toString('utf8'));
    } catch {
      res.writeHead(400).end();
      return;
    }
    const port = upstreams[next++ % upstreams.length] ?? 0;
    const up = http.request(
      {
        host: '127.0.0.1',
        port,
        path: req.url,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': body.length },
      },
      (upRes) => {
        served++;
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.setTimeout(30_000, () => up.destroy());
    up.on('error', () => res.destroy());
    up.end(body);
  });
});

server.listen(Number(listenArg), '127.0.0.1', () => {
  process.stdout.write(`listening ${String(listenArg)}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  agent.destroy();
});
