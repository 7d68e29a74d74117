/**
 * An in-process gateway in front of a fixed list of endpoints (usually in-process simulators),
 * for integration tests of the proxy itself.
 */
import http from 'node:http';
import {
  ApiSupport,
  GatewayMetrics,
  GatewayServer,
  InFlightTracker,
  PassiveHealth,
  UpstreamPools,
  type RequestHold,
  type EndpointCatalog,
  type GatewayEndpoint,
  type IntakeLimits,
  type UpstreamTimeouts,
} from '../../src/gateway/index.js';
import {
  MemoryRateLimitStore,
  admitAll,
  createTrafficPolicy,
  trafficConfigFrom,
  type TrafficPolicy,
} from '../../src/traffic/index.js';
import {
  createRegistry,
  silentLogger,
  systemClock,
  type Logger,
  type Registry,
  type Rng,
} from '../../src/shared/index.js';
import { waitFor } from './wait-for.js';
import { aRoutingContext } from './routing-builders.js';

export function anEngine(
  name: string,
  url: string,
  overrides: Partial<GatewayEndpoint> = {},
): GatewayEndpoint {
  return {
    id: `n/${name}`,
    name,
    model: 'm',
    node: 'n',
    url,
    ready: true,
    clusterHealthy: true,
    metrics: undefined,
    stale: true,
    adapters: [],
    maxLoras: 0,
    ...overrides,
  };
}

/** A catalog over a mutable list. */
export class FixedCatalog implements EndpointCatalog {
  endpoints: GatewayEndpoint[];
  constructor(endpoints: GatewayEndpoint[]) {
    this.endpoints = endpoints;
  }
  lookup(model: string) {
    const endpoints = this.endpoints.filter((e) => e.model === model);
    return { known: endpoints.length > 0, baseModel: model, adapter: undefined, endpoints };
  }
  knows(model: string) {
    return this.lookup(model).known;
  }
  models() {
    return [...new Set(this.endpoints.filter((e) => e.ready).map((e) => e.model))].map((id) => ({
      id,
      parent: undefined,
    }));
  }
  endpointUrl(id: string) {
    return this.endpoints.find((e) => e.id === id)?.url;
  }
}

export interface Harness {
  url: string;
  health: PassiveHealth;
  inFlight: InFlightTracker;
  registry: Registry;
  gateway: GatewayServer;
  stop(): Promise<void>;
}

export async function startGateway(
  catalog: EndpointCatalog,
  options: {
    timeouts?: Partial<UpstreamTimeouts>;
    maxBodyBytes?: number;
    admission?: TrafficPolicy;
    defaultStrategy?: string;
    limits?: Partial<IntakeLimits>;
    /** The routing RNG (default: seeded). */
    rng?: Rng;
    /** Where the gateway logs (default: nowhere). */
    log?: Logger;
    /** Holds requests for expected models without a ready engine (default: none). */
    hold?: RequestHold;
    /** Most engines a pick scores (default: all). */
    maxScoredCandidates?: number;
  } = {},
): Promise<Harness> {
  const registry = createRegistry({ defaultMetrics: false });
  const health = new PassiveHealth({
    consecutiveFailures: 3,
    baseEjectionMs: 60_000,
    maxEjectionMs: 60_000,
  });
  const inFlight = new InFlightTracker();
  const gateway = new GatewayServer({
    host: '127.0.0.1',
    port: 0,
    log: options.log ?? silentLogger(),
    drainMs: 1000,
    ...(options.limits === undefined ? {} : { limits: options.limits }),
    deps: {
      catalog,
      admission: options.admission ?? admitAll,
      inFlight,
      health,
      apiSupport: new ApiSupport(),
      metrics: new GatewayMetrics(registry),
      routing: {
        ...aRoutingContext(1),
        ...(options.rng === undefined ? {} : { rng: options.rng }),
        ...(options.maxScoredCandidates === undefined
          ? {}
          : { maxScoredCandidates: options.maxScoredCandidates }),
      },
      defaultStrategy: options.defaultStrategy ?? 'least-request',
      pools: new UpstreamPools({
        maxSocketsPerEngine: 64,
        connectTimeoutMs: options.timeouts?.connectTimeoutMs ?? 1000,
      }),
      timeouts: {
        connectTimeoutMs: 1000,
        firstByteTimeoutMs: 5000,
        streamIdleTimeoutMs: 5000,
        ...options.timeouts,
      },
      maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
      retryAfterSeconds: 2,
      ...(options.hold === undefined ? {} : { hold: options.hold }),
      clock: systemClock,
      log: silentLogger(),
    },
  });
  const abort = new AbortController();
  const running = gateway.run(abort.signal);
  await waitFor(() => gateway.port > 0, 'gateway listening');
  return {
    url: `http://127.0.0.1:${gateway.port}`,
    health,
    inFlight,
    registry,
    gateway,
    stop: async () => {
      abort.abort();
      await running;
    },
  };
}

/** Closes a test engine's server and its open connections (absent: nothing to do). */
export async function closeEngineServer(server: http.Server | undefined): Promise<void> {
  if (server === undefined) return;
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

/** A port nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/**
 * A traffic policy from a config file's `apiKeys`/`limits` sections, on an in-memory store, with
 * a 64-token output reservation (small enough for the simulators' short answers).
 */
export function trafficPolicyFrom(file: unknown): TrafficPolicy {
  return createTrafficPolicy(trafficConfigFrom({ defaultMaxTokensReservation: 64 }, file), {
    clock: systemClock,
    store: new MemoryRateLimitStore({ maxKeys: 1000 }),
  });
}
