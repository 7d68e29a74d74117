import { describe, expect, it } from 'vitest';
import {
  activeSchedule,
  effectiveBounds,
  validateSchedules,
  type ScalingSchedule,
} from '../../../src/autoscaling/index.js';

const s = (over: Partial<ScalingSchedule>): ScalingSchedule => ({
  name: 'peak',
  startTime: '09:00',
  endTime: '17:00',
  ...over,
});

describe('schedules', () => {
  it.each([
    // [case, schedule, UTC instant, active]
    ['start is inclusive', s({}), '2026-03-02T09:00:00Z', true],
    ['end is exclusive', s({}), '2026-03-02T17:00:00Z', false],
    ['one minute before the end', s({}), '2026-03-02T16:59:59Z', true],
    ['day of week in the zone (Mon UTC)', s({ daysOfWeek: ['Mon'] }), '2026-03-02T10:00:00Z', true],
    ['other day', s({ daysOfWeek: ['Tue'] }), '2026-03-02T10:00:00Z', false],
    // 2026-03-02 01:00 UTC is Sunday 17:00 in Los Angeles (UTC−8): the zone's day counts.
    [
      'zone day differs from UTC day',
      s({
        timezone: 'America/Los_Angeles',
        startTime: '16:00',
        endTime: '18:00',
        daysOfWeek: ['Sun'],
      }),
      '2026-03-02T01:00:00Z',
      true,
    ],
    ['Tokyo morning', s({ timezone: 'Asia/Tokyo' }), '2026-03-02T00:30:00Z', true],
    // DST: New York is UTC−5 in winter and UTC−4 from 2026-03-08; 09:00 local moves in UTC.
    [
      'New York 09:00 before DST is 14:00 UTC',
      s({ timezone: 'America/New_York' }),
      '2026-03-06T14:00:00Z',
      true,
    ],
    [
      'New York 13:00 UTC before DST is 08:00 local',
      s({ timezone: 'America/New_York' }),
      '2026-03-06T13:00:00Z',
      false,
    ],
    [
      'New York 13:00 UTC after DST is 09:00 local',
      s({ timezone: 'America/New_York' }),
      '2026-03-09T13:00:00Z',
      true,
    ],
    ['unknown zone is never active', s({ timezone: 'Mars/Base' }), '2026-03-02T10:00:00Z', false],
    [
      'reversed times are never active',
      s({ startTime: '18:00', endTime: '06:00' }),
      '2026-03-02T20:00:00Z',
      false,
    ],
  ])('%s', (_case, schedule, at, active) => {
    expect(activeSchedule([schedule], new Date(at))?.name).toBe(active ? 'peak' : undefined);
  });

  it('applies the active schedule bounds and falls back to the spec', () => {
    const schedules = [s({ minReplicas: 4, maxReplicas: 8 })];
    expect(effectiveBounds(1, 10, schedules, new Date('2026-03-02T10:00:00Z'))).toEqual({
      min: 4,
      max: 8,
      activeSchedule: 'peak',
    });
    expect(effectiveBounds(1, 10, schedules, new Date('2026-03-02T20:00:00Z'))).toEqual({
      min: 1,
      max: 10,
    });
    // A schedule min above the spec max: max wins.
    expect(
      effectiveBounds(1, 3, [s({ minReplicas: 5 })], new Date('2026-03-02T10:00:00Z')).min,
    ).toBe(3);
  });

  it('validates times, zones, days, bounds, names and overlaps', () => {
    expect(
      validateSchedules([s({}), s({ name: 'night', startTime: '18:00', endTime: '23:00' })]),
    ).toEqual([]);
    const problems = validateSchedules([
      s({ startTime: '9:00' }),
      s({ name: 'rev', startTime: '10:00', endTime: '09:00' }),
      s({ name: 'zone', timezone: 'Nowhere/Land' }),
      s({ name: 'bounds', startTime: '20:00', endTime: '21:00', minReplicas: 5, maxReplicas: 2 }),
      s({ name: 'a', startTime: '01:00', endTime: '03:00', daysOfWeek: ['Mon'] }),
      s({ name: 'b', startTime: '02:00', endTime: '04:00', daysOfWeek: ['Mon', 'Tue'] }),
      s({ name: 'c', startTime: '02:00', endTime: '04:00', daysOfWeek: ['Wed'] }),
      s({ name: 'peak', startTime: '05:00', endTime: '06:00' }),
    ]);
    expect(problems).toEqual([
      'schedule "peak": startTime "9:00" is not HH:MM',
      'schedule "rev": endTime must be after startTime (no midnight crossing)',
      'schedule "zone": unknown time zone "Nowhere/Land"',
      'schedule "bounds": minReplicas 5 is above maxReplicas 2',
      'schedule "peak": duplicate name',
      'schedules "a" and "b" overlap',
    ]);
  });
});
