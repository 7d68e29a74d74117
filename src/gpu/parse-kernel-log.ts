/**
 * Pure parsing of kernel-log lines into Xid events. Accepts `/dev/kmsg` records
 * (`6,1234,5678901,-;NVRM: …`) and every dmesg rendering in the fixtures: `[seconds.micros]`,
 * `[ctime]`, ISO (`--time-format=iso`), `kern  :warn  : ISO` (`--decode`), and syslog's
 * `host kernel: …`.
 */
import { normalizeBusId } from './bus-id.js';
import type { XidEvent } from './gpu-facts.js';

/** A kernel-log line split into its timestamp text and message. */
export interface KernelLogLine {
  /** The timestamp as printed (`6781741.548779`, ISO, ctime, or kmsg µs); `''` if none. */
  readonly logTime: string;
  /** `/dev/kmsg` sequence number, when the line is a kmsg record. */
  readonly seq: number | null;
  readonly message: string;
}

const KMSG = /^(\d+),(\d+),(\d+),[^;]*;(.*)$/;
const DECODE = /^[a-z]+\s*:[a-z]+\s*:\s*/;
const BRACKET = /^\[([^\]]+)\]\s?(.*)$/;
const ISO = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[,.]\d+(?:[+-]\d{2}:?\d{2}|Z)?)\s(.*)$/;
const SYSLOG = /^\S.*?\skernel:\s(?:\[\s*([\d.]+)\]\s)?(.*)$/;

/** Splits a line into timestamp and message. Returns null for kmsg continuation lines. */
export function parseKernelLogLine(line: string): KernelLogLine | null {
  if (line.startsWith(' ')) return null; // /dev/kmsg continuation (" SUBSYSTEM=pci")
  const kmsg = KMSG.exec(line);
  if (kmsg !== null)
    return { logTime: kmsg[3] ?? '', seq: Number(kmsg[2]), message: kmsg[4] ?? '' };
  const rest = line.replace(DECODE, '');
  const m = BRACKET.exec(rest) ?? ISO.exec(rest) ?? SYSLOG.exec(rest);
  if (m !== null) return { logTime: (m[1] ?? '').trim(), seq: null, message: m[2] ?? '' };
  return { logTime: '', seq: null, message: rest };
}

const XID =
  /NVRM: Xid \(PCI:([0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2})(?:\s+GPU-I:\d+)?\): (\d+),?\s*(.*)$/;
const FALLEN_OFF =
  /NVRM: (?:The NVIDIA )?GPU (?:at PCI:)?([0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}(?:\.[0-7])?)\b.*fallen off the bus/;

/** Detail text used for a "fallen off the bus" line that carries no Xid token. */
export const FALLEN_OFF_BUS_DETAIL = 'GPU has fallen off the bus (line without Xid token)';

/**
 * The Xid in one kernel-log message, or null. A "fallen off the bus" message without an `Xid`
 * token counts as Xid 79 (XID.md parsing notes).
 */
export function parseXidMessage(message: string, logTime = ''): XidEvent | null {
  const m = XID.exec(message);
  if (m !== null) {
    const busId = normalizeBusId(m[1] ?? '');
    if (busId === null) return null;
    return { xid: Number(m[2]), busId, detail: (m[3] ?? '').trim(), logTime };
  }
  const off = FALLEN_OFF.exec(message);
  if (off !== null) {
    const busId = normalizeBusId(off[1] ?? '');
    if (busId !== null) return { xid: 79, busId, detail: FALLEN_OFF_BUS_DETAIL, logTime };
  }
  return null;
}

/**
 * The Xid events in a batch of kernel-log lines, in order. A token-less "fallen off the bus"
 * line is dropped when the same batch has a real Xid 79 for that GPU, so one incident counts once.
 */
export function extractXidEvents(lines: readonly string[]): XidEvent[] {
  const events: XidEvent[] = [];
  for (const line of lines) {
    const parsed = parseKernelLogLine(line);
    if (!parsed?.message.includes('NVRM')) continue;
    const event = parseXidMessage(parsed.message, parsed.logTime);
    if (event !== null) events.push(event);
  }
  const real79 = new Set(
    events.filter((e) => e.xid === 79 && e.detail !== FALLEN_OFF_BUS_DETAIL).map((e) => e.busId),
  );
  return events.filter((e) => e.detail !== FALLEN_OFF_BUS_DETAIL || !real79.has(e.busId));
}
