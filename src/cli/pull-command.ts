/**
 * `infernode pull URI`: fetches a model into a node cache and draws its progress. Without
 * `--node` it asks the local agent (`POST /v1/weights/pull?wait=1` on its API); with `--node a,b`
 * (or `all`) it asks the leader, which prefetches onto those nodes through `weights.pull`
 * commands and streams every node's progress back. Both answer NDJSON (see pull-view.ts).
 */
import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import { defineCommand, int, str } from '../shared/index.js';
import { fetchFailure } from './status-command.js';
import {
  applyPullLine,
  describeNode,
  formatBytes,
  formatEta,
  type NodePullView,
} from './pull-view.js';

const err = (line: string): void => void process.stderr.write(`${line}\n`);
const out = (line: string): void => void process.stdout.write(`${line}\n`);

/** Yields each JSON line of an NDJSON body; a line that is not JSON is skipped. */
async function* ndjsonLines(body: AsyncIterable<Uint8Array>): AsyncGenerator {
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of body) {
    buffered += decoder.decode(chunk, { stream: true });
    if (buffered.length > 16 * 1024 * 1024) throw new Error('a progress line over 16 MiB');
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      const text = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      newline = buffered.indexOf('\n');
      if (text === '') continue;
      try {
        yield JSON.parse(text) as unknown;
      } catch {
        // Not ours to judge: keep reading the lines that are.
      }
    }
  }
}

/** Draws bars on a terminal, or a line per node every few seconds and at its end elsewhere. */
class PullDisplay {
  readonly #bars = new Map<string, SingleBar>();
  readonly #multi: MultiBar | undefined;
  readonly #printedAt = new Map<string, number>();

  constructor(tty: boolean) {
    this.#multi = tty
      ? new MultiBar(
          {
            format:
              '{node} [{bar}] {percentage}% | {done} / {total} | {rate}/s | ETA {eta} | {files}',
            hideCursor: true,
            clearOnComplete: false,
          },
          Presets.shades_classic,
        )
      : undefined;
  }

  show(view: NodePullView): void {
    if (this.#multi === undefined) {
      const last = this.#printedAt.get(view.node) ?? 0;
      if (view.outcome !== undefined || Date.now() - last >= 5000) {
        this.#printedAt.set(view.node, Date.now());
        out(describeNode(view));
      }
      return;
    }
    const payload = {
      node: view.node.padEnd(12),
      done: formatBytes(view.bytesDone),
      total: formatBytes(view.totalBytes),
      rate: formatBytes(view.bytesPerSecond),
      eta: formatEta(view),
      files:
        view.outcome === undefined
          ? `files ${view.filesDone}/${view.filesTotal}`
          : describeNode(view),
    };
    let bar = this.#bars.get(view.node);
    if (bar === undefined) {
      bar = this.#multi.create(Math.max(1, view.totalBytes), view.bytesDone, payload);
      this.#bars.set(view.node, bar);
    }
    bar.setTotal(Math.max(1, view.totalBytes));
    bar.update(view.bytesDone, payload);
  }

  stop(): void {
    this.#multi?.stop();
  }
}

export const pullCommand = defineCommand({
  name: 'pull',
  summary: 'fetch a model into the node cache (local agent, or chosen nodes through the leader)',
  usage: 'infernode pull <s3://…|http(s)://…|hf://org/model[@rev]|file:///…> [--node a,b|all]',
  description:
    'Streams the model in parallel ranges into the node cache once, with a live progress bar (bytes, rate, ETA, files). Without --node it asks the local agent on --agent-url; with --node it asks the leader on --leader-url to prefetch onto those nodes. A model already cached costs no download.',
  envPrefix: 'PULL',
  positional: { name: 'uri', flag: 'uri' },
  spec: {
    uri: str(
      '',
      'the model to fetch: s3://bucket/prefix, http(s)://…, hf://org/model[@revision] or file:///dir',
    ),
    node: str(
      '',
      'nodes to prefetch onto through the leader (comma-separated, or all); empty: the local agent',
    ),
    agentUrl: str('http://127.0.0.1:9100', 'the local agent’s API URL'),
    leaderUrl: str('http://127.0.0.1:8081', 'the leader’s control URL (with --node)'),
    token: str('', 'bearer token: the agent’s weights.apiToken, or the leader’s control token', {
      env: 'INFERNODE_PULL_TOKEN',
    }),
    connectTimeoutMs: int(10_000, 'time to get an answer to the request, ms', { min: 1 }),
  },
  async run({ config }) {
    if (config.uri === '') {
      err('infernode pull: name the model to fetch, e.g. infernode pull s3://models/llama-3-8b');
      return 1;
    }
    const viaLeader = config.node !== '';
    const target = viaLeader
      ? `${config.leaderUrl.replace(/\/+$/, '')}/v1/weights/pull`
      : `${config.agentUrl.replace(/\/+$/, '')}/v1/weights/pull?wait=1`;
    const body = viaLeader
      ? {
          uri: config.uri,
          nodes: config.node === 'all' ? 'all' : config.node.split(',').map((n) => n.trim()),
        }
      : { uri: config.uri };
    const stop = new AbortController();
    const onSignal = (): void => stop.abort();
    process.once('SIGINT', onSignal);
    // The timeout bounds getting an answer, not the pull: the NDJSON body may stream for hours.
    const noAnswer = setTimeout(
      () => stop.abort(new DOMException('no answer', 'TimeoutError')),
      config.connectTimeoutMs,
    );
    let res: Response;
    try {
      res = await fetch(target, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/x-ndjson',
          ...(config.token === '' ? {} : { authorization: `Bearer ${config.token}` }),
        },
        body: JSON.stringify(body),
        signal: stop.signal,
      });
    } catch (e) {
      clearTimeout(noAnswer);
      process.off('SIGINT', onSignal);
      err(`infernode pull: cannot reach ${target}: ${fetchFailure(e, config.connectTimeoutMs)}`);
      return 1;
    }
    clearTimeout(noAnswer);
    if (!res.ok || res.body === null) {
      process.off('SIGINT', onSignal);
      const text = (await res.text().catch(() => '')).slice(0, 2000);
      err(`infernode pull: ${target} answered HTTP ${res.status}: ${text}`);
      return 1;
    }
    const display = new PullDisplay(process.stdout.isTTY);
    let views = new Map<string, NodePullView>();
    try {
      for await (const line of ndjsonLines(res.body)) {
        views = applyPullLine(views, line);
        for (const view of views.values()) display.show(view);
      }
    } catch (e) {
      display.stop();
      err(
        `infernode pull: the progress stream broke: ${e instanceof Error ? e.message : String(e)}`,
      );
      return 1;
    } finally {
      process.off('SIGINT', onSignal);
    }
    display.stop();
    const all = [...views.values()];
    for (const view of all) if (view.outcome?.ok === false) err(describeNode(view));
    if (all.length === 0 || all.some((v) => v.outcome === undefined)) {
      err('infernode pull: the stream ended before every node reported a result');
      return 1;
    }
    return all.every((v) => v.outcome?.ok === true) ? 0 : 1;
  },
});
