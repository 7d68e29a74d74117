/** `ikv://host:port`: how a native block service is named (agent reports, holders, config). */
import { AppError } from '../../shared/index.js';

/** A block service address. */
export interface IkvAddress {
  readonly host: string;
  readonly port: number;
}

/** Parses `ikv://host:port` (IPv6 in brackets); throws KV_BAD_URL otherwise. */
export function parseIkvUrl(url: string): IkvAddress {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AppError('KV_BAD_URL', `not a URL: ${JSON.stringify(url)}; expected ikv://host:port`);
  }
  const port = Number(parsed.port);
  if (
    parsed.protocol !== 'ikv:' ||
    parsed.hostname === '' ||
    !Number.isInteger(port) ||
    port < 1 ||
    port > 65535 ||
    (parsed.pathname !== '' && parsed.pathname !== '/')
  )
    throw new AppError('KV_BAD_URL', `${JSON.stringify(url)} is not ikv://host:port`);
  return { host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'), port };
}

/** `ikv://host:port`, bracketing an IPv6 host. */
export function formatIkvUrl(host: string, port: number): string {
  return `ikv://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
