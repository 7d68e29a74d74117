import { describe, expect, it } from 'vitest';
import { parseClusterFile } from '../../../src/discovery/index.js';
import { describeChildExit, lastLineReason } from '../../../src/up/child-exit-reason.js';
import { clusterPorts, duplicatePorts } from '../../../src/up/cluster-ports.js';

const file = parseClusterFile({
  leader: { host: '127.0.0.1', gatewayPort: 8080, controlPort: 8081 },
  nodes: [
    {
      name: 'node-a',
      agentPort: 9101,
      engines: [
        { name: 'e0', model: 'm', gpus: [0], sim: { port: 8101 } },
        { name: 'e1', model: 'm', gpus: [1], url: 'http://10.0.0.1:8000' },
      ],
    },
  ],
});

describe('clusterPorts', () => {
  it('names every port a local cluster listens on, where the file sets it', () => {
    expect(clusterPorts(file).map((p) => `${p.port} ${p.role}`)).toEqual([
      '8080 the gateway (leader.gatewayPort)',
      '8081 the leader control API (leader.controlPort)',
      '9101 the agent of node-a (nodes[0].agentPort)',
      '8101 the simulated engine node-a/e0 (nodes[0].engines[0].sim.port)',
    ]);
  });

  it('finds a port given twice', () => {
    const ports = clusterPorts(file);
    expect(duplicatePorts(ports)).toEqual([]);
    expect(duplicatePorts([...ports, { host: '127.0.0.1', port: 8080, role: 'x' }])).toEqual([
      'port 8080 is given to both the gateway (leader.gatewayPort) and x',
    ]);
  });
});

describe('describeChildExit', () => {
  it('keeps the CLI’s own one-line reason, without its prefix', () => {
    expect(lastLineReason('infernode leader: cannot read the cluster file x: no such file')).toBe(
      'cannot read the cluster file x: no such file',
    );
  });

  it('flattens a JSON log line to its message and error', () => {
    const line = JSON.stringify({
      level: 50,
      msg: 'component failed',
      err: { message: 'listen EADDRINUSE: address already in use 127.0.0.1:8080', stack: 'x' },
    });
    expect(
      describeChildExit({
        name: 'leader',
        code: 1,
        signal: null,
        lastLine: line,
        logPath: '/l.log',
      }),
    ).toBe(
      'leader exited at start (code 1): component failed: listen EADDRINUSE: address already in use 127.0.0.1:8080; its log: /l.log',
    );
    expect(
      describeChildExit({
        name: 'sim',
        code: null,
        signal: 'SIGKILL',
        lastLine: '',
        logPath: '/s.log',
      }),
    ).toBe('sim exited at start (SIGKILL): no error output; its log: /s.log');
  });
});
