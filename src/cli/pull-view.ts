/**
 * What `infernode pull` shows, decided apart from the terminal: the NDJSON lines the agent
 * (`POST /v1/weights/pull?wait=1`) or the leader (`POST /v1/weights/pull`, one stream for many
 * nodes) sends are folded into one view per node, and formatted as bytes, rate and ETA.
 */

/** One file's progress as the agent's own stream reports it. */
interface PullFileLine {
  readonly path: string;
  readonly size: number;
  readonly bytesDone: number;
  readonly state: string;
}

/** Where one node's pull stands. */
export interface NodePullView {
  readonly node: string;
  readonly totalBytes: number;
  readonly bytesDone: number;
  readonly bytesPerSecond: number;
  /** Files of the artifact, and how many are done (a node's summary carries only the counts). */
  readonly filesTotal: number;
  readonly filesDone: number;
  /** Set once the node's result line arrived. */
  readonly outcome?:
    | { readonly ok: true; readonly path: string; readonly bytes: number }
    | { readonly ok: false; readonly code: string; readonly message: string };
}

/** The node name of lines that carry none (a pull from the local agent). */
export const LOCAL_NODE = 'local';

type Obj = Record<string, unknown>;
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const str = (v: unknown, fallback: string): string => (typeof v === 'string' ? v : fallback);

function files(v: unknown): PullFileLine[] {
  if (!Array.isArray(v)) return [];
  return v.slice(0, 4096).flatMap((f: unknown) => {
    if (f === null || typeof f !== 'object') return [];
    const o = f as Obj;
    return [
      {
        path: str(o.path, '?'),
        size: num(o.size),
        bytesDone: num(o.bytesDone),
        state: str(o.state, '?'),
      },
    ];
  });
}

/**
 * Folds one NDJSON line into the views (by node). Returns the views unchanged for a line it
 * does not understand: a newer agent may send more kinds of line.
 */
export function applyPullLine(
  views: ReadonlyMap<string, NodePullView>,
  line: unknown,
): Map<string, NodePullView> {
  const next = new Map(views);
  if (line === null || typeof line !== 'object') return next;
  const o = line as Obj;
  const node = str(o.node, LOCAL_NODE);
  const before: NodePullView = views.get(node) ?? {
    node,
    totalBytes: 0,
    bytesDone: 0,
    bytesPerSecond: 0,
    filesTotal: 0,
    filesDone: 0,
  };
  if (o.type === 'progress') {
    // The agent's own stream lists files; a command's progress (through the leader) counts them.
    const listed = files(o.files);
    next.set(node, {
      ...before,
      totalBytes: num(o.totalBytes),
      bytesDone: num(o.bytesDone),
      bytesPerSecond: num(o.bytesPerSecond),
      filesTotal: Array.isArray(o.files) ? listed.length : num(o.files),
      filesDone: Array.isArray(o.files)
        ? listed.filter((f) => f.state === 'done').length
        : num(o.filesDone),
    });
  } else if (o.type === 'result') {
    next.set(node, {
      ...before,
      ...(o.ok === true
        ? {
            bytesDone: Math.max(before.bytesDone, num(o.bytes)),
            totalBytes: Math.max(before.totalBytes, num(o.bytes)),
            outcome: { ok: true, path: str(o.path, ''), bytes: num(o.bytes) },
          }
        : {
            outcome: {
              ok: false,
              code: str(o.code, 'UNKNOWN'),
              message: str(o.message, 'no reason given'),
            },
          }),
    });
  }
  return next;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 1536 → "1.5 KiB". */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? String(value) : value.toFixed(1)} ${UNITS[unit] ?? 'B'}`;
}

/** Seconds left at the current rate, as "1m05s"; "-" when the rate says nothing. */
export function formatEta(
  view: Pick<NodePullView, 'totalBytes' | 'bytesDone' | 'bytesPerSecond'>,
): string {
  const left = view.totalBytes - view.bytesDone;
  if (view.bytesPerSecond <= 0 || left < 0) return '-';
  const seconds = Math.ceil(left / view.bytesPerSecond);
  const m = Math.floor(seconds / 60);
  return m > 0 ? `${m}m${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`;
}

/** One line for a node: bytes done of total, rate, ETA, files done, or its outcome. */
export function describeNode(view: NodePullView): string {
  if (view.outcome?.ok === true)
    return `${view.node}: done, ${formatBytes(view.outcome.bytes)} at ${view.outcome.path}`;
  if (view.outcome?.ok === false)
    return `${view.node}: failed ${view.outcome.code}: ${view.outcome.message}`;
  return `${view.node}: ${formatBytes(view.bytesDone)} / ${formatBytes(view.totalBytes)}, ${formatBytes(view.bytesPerSecond)}/s, ETA ${formatEta(view)}, files ${view.filesDone}/${view.filesTotal}`;
}
