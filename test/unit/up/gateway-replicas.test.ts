import { describe, expect, it } from 'vitest';
import {
  agentHubUrls,
  leaderReplicaArgs,
  planLeaderReplicas,
} from '../../../src/up/gateway-replicas.js';

describe('planLeaderReplicas', () => {
  it('puts replica 0 on the file’s ports and each follower on its own, every replica following all the others', () => {
    const replicas = planLeaderReplicas(
      '127.0.0.1',
      { gatewayPort: 8080, controlPort: 8081 },
      [9000, 9001, 9002, 9003],
      3,
    );
    expect(replicas.map((r) => [r.identity, r.gatewayPort, r.controlPort])).toEqual([
      ['leader-0', 8080, 8081],
      ['leader-1', 9000, 9001],
      ['leader-2', 9002, 9003],
    ]);
    expect(replicas[0]?.follow).toEqual(['http://127.0.0.1:9001', 'http://127.0.0.1:9003']);
    expect(replicas[1]?.follow).toEqual(['http://127.0.0.1:8081', 'http://127.0.0.1:9003']);
    expect(replicas[2]?.follow).toEqual(['http://127.0.0.1:8081', 'http://127.0.0.1:9001']);
    expect(agentHubUrls(replicas)).toEqual([
      'ws://127.0.0.1:8081/v1/agents',
      'ws://127.0.0.1:9001/v1/agents',
      'ws://127.0.0.1:9003/v1/agents',
    ]);
  });

  it('gives every replica --replicas-follow with the others and its rank (a restarted replica 0 follows)', () => {
    const [leader, follower] = planLeaderReplicas(
      '127.0.0.1',
      { gatewayPort: 1, controlPort: 2 },
      [3, 4],
      2,
    );
    const first = leaderReplicaArgs(leader!, '/c.yaml', '127.0.0.1');
    expect(first.slice(first.indexOf('--replicas-follow'))).toEqual([
      '--replicas-follow',
      'http://127.0.0.1:4',
      '--replicas-rank',
      '0',
    ]);
    const args = leaderReplicaArgs(follower!, '/c.yaml', '127.0.0.1');
    expect(args.slice(args.indexOf('--replicas-follow'))).toEqual([
      '--replicas-follow',
      'http://127.0.0.1:2',
      '--replicas-rank',
      '1',
    ]);
    expect(args[args.indexOf('--gateway-port') + 1]).toBe('3');
    expect(args[args.indexOf('--identity') + 1]).toBe('leader-1');
  });

  it('refuses a plan without enough ports', () => {
    expect(() => planLeaderReplicas('h', { gatewayPort: 1, controlPort: 2 }, [3], 2)).toThrow(
      /extra ports/,
    );
  });

  it('gives a single replica no follow list: it leads at once', () => {
    const [only] = planLeaderReplicas('h', { gatewayPort: 1, controlPort: 2 }, [], 1);
    expect(leaderReplicaArgs(only!, '/c.yaml', 'h')).not.toContain('--replicas-follow');
  });
});
