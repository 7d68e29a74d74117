/**
 * A small parser for the Prometheus text exposition format (what vLLM's /metrics serves). It
 * keeps what the engine dialects need: sample name, labels and value. Comments and malformed
 * lines are skipped and counted, never thrown, because one odd line must not blind the agent.
 */

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface ParsedExposition {
  readonly samples: readonly Sample[];
  readonly malformedLines: number;
}

const LABEL_RE = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function parseValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

function unescape(value: string): string {
  return value.replace(/\\(["\\n])/g, (_m, c: string) => (c === 'n' ? '\n' : c));
}

/** Parses exposition text into samples. */
export function parsePrometheusText(text: string): ParsedExposition {
  const samples: Sample[] = [];
  let malformedLines = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const brace = line.indexOf('{');
    let name: string;
    let rest: string;
    const labels: Record<string, string> = {};
    if (brace >= 0) {
      const close = line.lastIndexOf('}');
      if (close < brace) {
        malformedLines++;
        continue;
      }
      name = line.slice(0, brace);
      for (const m of line.slice(brace + 1, close).matchAll(LABEL_RE)) {
        labels[m[1] as string] = unescape(m[2] as string);
      }
      rest = line.slice(close + 1).trim();
    } else {
      const space = line.indexOf(' ');
      if (space < 0) {
        malformedLines++;
        continue;
      }
      name = line.slice(0, space);
      rest = line.slice(space + 1).trim();
    }
    const value = parseValue(rest.split(/\s+/)[0] ?? '');
    if (name === '' || Number.isNaN(value)) {
      malformedLines++;
      continue;
    }
    samples.push({ name, labels, value });
  }
  return { samples, malformedLines };
}
