/**
 * Every port a local cluster listens on, named as the cluster file names it, so `infernode up`
 * can check them all before starting anything and say which one is taken. Pure.
 */
import type { ClusterFile } from '../discovery/index.js';
import { kvEventsPorts } from './kv-wiring.js';

/** One port a child of `up` will listen on. */
export interface ClusterPort {
  readonly host: string;
  readonly port: number;
  /** Who listens there and where the file sets it, e.g. `the gateway (leader.gatewayPort)`. */
  readonly role: string;
}

/**
 * The ports of the object store, the leader, each agent (API and read-through endpoint) and each
 * simulated engine (its API and the KV event sockets of its `kvEvents:`).
 */
export function clusterPorts(file: ClusterFile): ClusterPort[] {
  const { host, gatewayPort, controlPort } = file.leader;
  const ports: ClusterPort[] = [
    { host, port: gatewayPort, role: 'the gateway (leader.gatewayPort)' },
    { host, port: controlPort, role: 'the leader control API (leader.controlPort)' },
  ];
  if (file.objectStore !== undefined)
    ports.push({
      host: file.objectStore.host,
      port: file.objectStore.port,
      role: 'the object store (objectStore.port)',
    });
  file.nodes.forEach((node, n) => {
    ports.push({
      host: '127.0.0.1',
      port: node.agentPort,
      role: `the agent of ${node.name} (nodes[${n}].agentPort)`,
    });
    if (node.readThroughPort !== undefined)
      ports.push({
        host: '127.0.0.1',
        port: node.readThroughPort,
        role: `the read-through endpoint of ${node.name} (nodes[${n}].readThroughPort)`,
      });
    node.engines.forEach((engine, e) => {
      if (engine.sim === undefined) return;
      ports.push({
        host: '127.0.0.1',
        port: engine.sim.port,
        role: `the simulated engine ${node.name}/${engine.name} (nodes[${n}].engines[${e}].sim.port)`,
      });
      // The KV event sockets the simulator binds (only engines `up` starts bind them).
      for (const { port, field } of kvEventsPorts(engine))
        ports.push({
          host: '127.0.0.1',
          port,
          role: `the KV events of ${node.name}/${engine.name} (nodes[${n}].engines[${e}].${field})`,
        });
    });
  });
  return ports;
}

/** Ports the file gives to two listeners at once (a copy-paste slip), as messages. */
export function duplicatePorts(ports: readonly ClusterPort[]): string[] {
  const seen = new Map<number, ClusterPort>();
  const out: string[] = [];
  for (const p of ports) {
    const first = seen.get(p.port);
    if (first === undefined) seen.set(p.port, p);
    else out.push(`port ${p.port} is given to both ${first.role} and ${p.role}`);
  }
  return out;
}
