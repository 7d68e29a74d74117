/**
 * Time-of-day replica bounds (PodAutoscaler `schedules`, reference/aibrix.md §4.1): a schedule
 * is active on its days of week from startTime (inclusive) to endTime (exclusive), in its IANA
 * time zone (default UTC), with no midnight crossing. Local time comes from Intl.DateTimeFormat,
 * so daylight-saving changes follow the zone's rules with no time-zone package.
 */
import type { ScalingSchedule } from './pod-autoscaler.js';

type Weekday = NonNullable<ScalingSchedule['daysOfWeek']>[number];

const WEEKDAYS: readonly Weekday[] = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;
/** Formatters are costly to build; zones in use are few, the cache is bounded anyway. */
const MAX_CACHED_ZONES = 64;
const formatters = new Map<string, Intl.DateTimeFormat | null>();

/** Minutes since midnight of an HH:MM time, undefined when malformed. */
export function parseTimeOfDay(text: string): number | undefined {
  const match = HH_MM.exec(text);
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

function formatterFor(zone: string): Intl.DateTimeFormat | null {
  const cached = formatters.get(zone);
  if (cached !== undefined) return cached;
  let formatter: Intl.DateTimeFormat | null;
  try {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
  } catch {
    formatter = null; // unknown zone: such a schedule is never active (validateSchedules says why)
  }
  if (formatters.size >= MAX_CACHED_ZONES) formatters.clear();
  formatters.set(zone, formatter);
  return formatter;
}

/** Day of week and minutes since midnight of `at` in `zone`; undefined for an unknown zone. */
export function localTimeIn(
  zone: string,
  at: Date,
): { weekday: Weekday; minutes: number } | undefined {
  const formatter = formatterFor(zone);
  if (!formatter || Number.isNaN(at.getTime())) return undefined;
  let weekday: string | undefined;
  let hour = 0;
  let minute = 0;
  for (const part of formatter.formatToParts(at)) {
    if (part.type === 'weekday') weekday = part.value;
    else if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
  }
  const day = WEEKDAYS.find((d) => d === weekday);
  return day ? { weekday: day, minutes: hour * 60 + minute } : undefined;
}

/** Whether `schedule` is active at `at` (a malformed schedule never is). */
export function isScheduleActive(schedule: ScalingSchedule, at: Date): boolean {
  const start = parseTimeOfDay(schedule.startTime);
  const end = parseTimeOfDay(schedule.endTime);
  if (start === undefined || end === undefined || start >= end) return false;
  const local = localTimeIn(schedule.timezone ?? 'UTC', at);
  if (!local) return false;
  const days = schedule.daysOfWeek;
  if (days && days.length > 0 && !days.includes(local.weekday)) return false;
  return local.minutes >= start && local.minutes < end;
}

/** The first listed schedule active at `at` (valid specs have no overlaps, so at most one). */
export function activeSchedule(
  schedules: readonly ScalingSchedule[],
  at: Date,
): ScalingSchedule | undefined {
  return schedules.find((s) => isScheduleActive(s, at));
}

/** Replica bounds in force at `at`: the active schedule's, falling back to the spec's. */
export interface EffectiveBounds {
  readonly min: number;
  readonly max: number;
  readonly activeSchedule?: string;
}

/**
 * The spec's min/max overridden by the active schedule's; min is lowered to max when a
 * schedule would raise it above (max wins: it is the cost ceiling the user set).
 */
export function effectiveBounds(
  minReplicas: number,
  maxReplicas: number,
  schedules: readonly ScalingSchedule[],
  at: Date,
): EffectiveBounds {
  const schedule = activeSchedule(schedules, at);
  const max = Math.max(0, schedule?.maxReplicas ?? maxReplicas);
  const min = Math.min(max, Math.max(0, schedule?.minReplicas ?? minReplicas));
  return schedule ? { min, max, activeSchedule: schedule.name } : { min, max };
}

/**
 * Problems of a schedule list, one line each (empty when valid): bad or reversed times, unknown
 * zones or days, bad bounds, duplicate names, and overlaps between schedules of the same zone
 * that share a day. Schedules in different zones are not compared (their offsets move with
 * daylight saving); if two are active at once the first listed wins.
 */
export function validateSchedules(schedules: readonly ScalingSchedule[]): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  const valid: { s: ScalingSchedule; start: number; end: number }[] = [];
  for (const s of schedules) {
    const label = `schedule ${JSON.stringify(s.name)}`;
    if (names.has(s.name)) problems.push(`${label}: duplicate name`);
    names.add(s.name);
    const start = parseTimeOfDay(s.startTime);
    const end = parseTimeOfDay(s.endTime);
    let ok = true;
    if (start === undefined)
      problems.push(`${label}: startTime ${JSON.stringify(s.startTime)} is not HH:MM`);
    if (end === undefined)
      problems.push(`${label}: endTime ${JSON.stringify(s.endTime)} is not HH:MM`);
    if (start !== undefined && end !== undefined && start >= end) {
      problems.push(`${label}: endTime must be after startTime (no midnight crossing)`);
      ok = false;
    }
    if (formatterFor(s.timezone ?? 'UTC') === null) {
      problems.push(`${label}: unknown time zone ${JSON.stringify(s.timezone)}`);
      ok = false;
    }
    for (const day of s.daysOfWeek ?? []) {
      if (!WEEKDAYS.includes(day)) problems.push(`${label}: unknown day ${JSON.stringify(day)}`);
    }
    for (const key of ['minReplicas', 'maxReplicas'] as const) {
      const v = s[key];
      if (v !== undefined && !(Number.isInteger(v) && v >= 0)) {
        problems.push(`${label}: ${key} must be a whole number ≥ 0`);
        ok = false;
      }
    }
    if (
      s.minReplicas !== undefined &&
      s.maxReplicas !== undefined &&
      s.minReplicas > s.maxReplicas
    ) {
      problems.push(`${label}: minReplicas ${s.minReplicas} is above maxReplicas ${s.maxReplicas}`);
    }
    if (ok && start !== undefined && end !== undefined) valid.push({ s, start, end });
  }
  for (const [i, a] of valid.entries()) {
    for (const b of valid.slice(i + 1)) {
      if ((a.s.timezone ?? 'UTC') !== (b.s.timezone ?? 'UTC')) continue;
      if (!sharesDay(a.s, b.s) || a.start >= b.end || b.start >= a.end) continue;
      problems.push(
        `schedules ${JSON.stringify(a.s.name)} and ${JSON.stringify(b.s.name)} overlap`,
      );
    }
  }
  return problems;
}

function sharesDay(a: ScalingSchedule, b: ScalingSchedule): boolean {
  const da = a.daysOfWeek?.length ? a.daysOfWeek : WEEKDAYS;
  const db = b.daysOfWeek?.length ? b.daysOfWeek : WEEKDAYS;
  return da.some((d) => db.includes(d));
}
