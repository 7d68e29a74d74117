/** Small helpers shared by the simulator's integration tests. */

/** A parsed JSON reply, read loosely by the assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions check the shape
export type LooseJson = any;

/** POSTs JSON and returns status, parsed JSON (or text) and headers. */
export async function postJson(
  baseUrl: string,
  path: string,
  body: unknown,
  init: RequestInit = {},
): Promise<{ status: number; json: LooseJson; text: string; headers: Headers }> {
  const res = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
  const text = await res.text();
  let json: LooseJson;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, headers: res.headers };
}

/** GETs /metrics as text. */
export async function scrape(baseUrl: string): Promise<string> {
  return (await fetch(`${baseUrl}/metrics`)).text();
}

/** Sum of every sample of `name` whose label text contains each of `labelParts`. */
export function metric(text: string, name: string, ...labelParts: string[]): number {
  let sum = 0;
  let found = false;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!labelParts.every((p) => line.includes(p))) continue;
    found = true;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  if (!found) throw new Error(`metric ${name} ${labelParts.join(',')} not found`);
  return sum;
}

/** A chat body with `tokens`×4 bytes of user content. */
export function chatBody(content: string, maxTokens: number, extra: Record<string, unknown> = {}) {
  return {
    messages: [{ role: 'user', content }],
    max_tokens: maxTokens,
    ignore_eos: true,
    ...extra,
  };
}

/** Polls `check` every 10 ms until it returns true or `timeoutMs` passes. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}
