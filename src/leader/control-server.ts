/**
 * The leader's control port: the agent hub (WebSocket /v1/agents), /metrics, /healthz, /readyz
 * a JSON view of the cluster (/v1/cluster) for `infernode status` and the dashboard, and the
 * weights prefetch (`POST /v1/weights/pull`, weights-prefetch.ts), the custom resources with
 * their statuses (`GET /v1/resources`). With a
 * certificate it speaks https:// and wss://, so agent tokens never cross the network in clear.
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import {
  createJsonServer,
  serveOpsRoute,
  serveUntilAborted,
  sendJson,
  type Logger,
  type Registry,
} from '../shared/index.js';
import type { AgentHub } from './agent-hub.js';
import type { ClusterStateStore } from './cluster-state.js';
import type { WeightsPrefetch } from './weights-prefetch.js';

export interface ControlServerOptions {
  readonly host: string;
  readonly port: number;
  readonly hub: AgentHub;
  readonly store: ClusterStateStore;
  readonly registry: Registry;
  readonly log: Logger;
  /** Ready when this returns true (leading, discovery synced, gateway listening). */
  readonly isReady: () => boolean;
  /** Extra fields for /v1/cluster (leader identity, ejected engines…). */
  readonly describe: () => Record<string, unknown>;
  /** `GET /v1/resources`: every custom resource with its current status; absent: 404. */
  readonly resources?: () => readonly unknown[];
  /** `GET /v1/kv`: the global KV block index per node and engine (kv-index-wiring.ts); absent: 404. */
  readonly kv?: () => Record<string, unknown> | Promise<Record<string, unknown>>;
  /** `POST /v1/weights/pull`: prefetch a model onto nodes; absent: 404. */
  readonly prefetch?: WeightsPrefetch;
  /** `GET /v1/optimizer/metrics[/<ns>/<name>]`: the GPU optimizer's answer; false: not its path. */
  readonly optimizer?: { serve(path: string, res: http.ServerResponse): boolean };
  /** The web console's routes (console-wiring.ts); false: not its path. */
  readonly console?: {
    serve(req: http.IncomingMessage, res: http.ServerResponse, path: string): boolean;
  };
  /** The gateway replicas' state feed (`/v1/replicas`, replica-feed-server.ts); absent: refused. */
  readonly replicas?: {
    handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void;
  };
  /** Certificate and key: serve https:// and wss:// instead of plain HTTP. */
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer; readonly fingerprint: string };
}

export class ControlServer {
  readonly name = 'control-server';
  readonly #options: ControlServerOptions;
  readonly #server: http.Server;
  #port = 0;

  constructor(options: ControlServerOptions) {
    this.#options = options;
    this.#server = createJsonServer((req, res) => this.#handle(req, res), options.tls);
    this.#server.on('upgrade', (req, socket, head) => {
      // Node's server stops listening for a socket's errors once it hands it over for an upgrade:
      // a client resetting it while it is refused or authenticated would crash the process.
      socket.on('error', (err) => options.log.debug({ err }, 'upgrade socket error'));
      const path = (req.url ?? '').split('?')[0];
      if (path === '/v1/agents') options.hub.handleUpgrade(req, socket, head);
      else if (path === '/v1/replicas' && options.replicas !== undefined)
        options.replicas.handleUpgrade(req, socket, head);
      else socket.destroy();
    });
  }

  get port(): number {
    return this.#port;
  }

  run(signal: AbortSignal): Promise<void> {
    return serveUntilAborted(this.#server, {
      host: this.#options.host,
      port: this.#options.port,
      closeGraceMs: 2000,
      signal,
      onListening: (port) => {
        this.#port = port;
        // The fingerprint is what agents pin (leaderFingerprint) when no CA signs the certificate.
        this.#options.log.info(
          {
            port,
            tls: this.#options.tls !== undefined,
            fingerprint: this.#options.tls?.fingerprint,
          },
          'control server listening (agent hub, metrics)',
        );
      },
    });
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (await serveOpsRoute(req.url ?? '/', res, this.#options)) return;
    if (path === '/v1/weights/pull' && this.#options.prefetch !== undefined) {
      if (req.method !== 'POST') return sendJson(res, 405, { error: 'only POST' });
      return this.#options.prefetch.handle(req, res);
    }
    if (this.#options.optimizer?.serve(path, res) === true) return;
    if (this.#options.console?.serve(req, res, path) === true) return;
    if (path === '/v1/resources' && this.#options.resources !== undefined)
      return sendJson(res, 200, { resources: this.#options.resources() });
    if (path === '/v1/kv' && this.#options.kv !== undefined)
      return sendJson(res, 200, await this.#options.kv());
    if (path === '/v1/cluster') {
      const engines = this.#options.store.endpoints().map((s) => ({
        id: s.endpoint.id,
        node: s.endpoint.node,
        model: s.endpoint.model,
        url: s.endpoint.url,
        ready: s.endpoint.ready,
        stale: s.stale,
        agentSaysDown: s.agentSaysDown,
        gpuFailed: s.gpuFailed,
        draining: s.draining,
        adapters: s.report?.adapters ?? [],
        running: s.report?.metrics?.scrape.numRequestsRunning,
        waiting: s.report?.metrics?.scrape.numRequestsWaiting,
        kvCacheUsageRatio: s.report?.metrics?.scrape.kvCacheUsageRatio,
      }));
      return sendJson(res, 200, {
        ...this.#options.describe(),
        nodes: this.#options.store.nodes(),
        engines,
      });
    }
    sendJson(res, 404, { error: `unknown path ${path}` });
  }
}
