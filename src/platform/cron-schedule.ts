import { invalid, Owner } from './errors';

/**
 * Cron schedules and time zones, checked as the CronJob controller reads them (robfig/cron's
 * standard parser), so that a schedule the API server accepts but that never fires, or one it
 * rejects, fails the render instead of the sync.
 */

const MACROS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

interface CronField {
  readonly name: string;
  readonly ordinal: string;
  readonly min: number;
  readonly max: number;
  readonly names?: string[];
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const FIELDS: CronField[] = [
  { name: 'minute', ordinal: '1st', min: 0, max: 59 },
  { name: 'hour', ordinal: '2nd', min: 0, max: 23 },
  { name: 'day-of-month', ordinal: '3rd', min: 1, max: 31 },
  { name: 'month', ordinal: '4th', min: 1, max: 12, names: MONTHS },
  { name: 'day-of-week', ordinal: '5th', min: 0, max: 6, names: DAYS },
];

/** The longest each month can be (February in a leap year). */
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const SCHEDULE_FORM = `five fields "minute hour day-of-month month day-of-week" such as "30 3 * * *", or one of ${MACROS.map((m) => `"${m}"`).join(', ')}`;

/** The values one field selects, or undefined when a part of it is malformed or out of range. */
function fieldValues(text: string, field: CronField): { values: Set<number>; any: boolean } | undefined {
  const values = new Set<number>();
  const value = (token: string): number | undefined => {
    const named = field.names?.indexOf(token.toLowerCase()) ?? -1;
    if (named >= 0) return named + field.min;
    if (!/^\d+$/.test(token)) return undefined;
    const n = Number(token);
    return n >= field.min && n <= field.max ? n : undefined;
  };
  for (const part of text.split(',')) {
    const m = /^([^/]+)(?:\/(\d+))?$/.exec(part);
    if (!m) return undefined;
    const [, range, stepText] = m;
    const step = stepText === undefined ? 1 : Number(stepText);
    if (step < 1) return undefined;
    let low: number | undefined;
    let high: number | undefined;
    if (range === '*' || range === '?') {
      [low, high] = [field.min, field.max];
    } else if (range.includes('-')) {
      const ends = range.split('-');
      if (ends.length !== 2) return undefined;
      [low, high] = ends.map(value);
    } else {
      low = value(range);
      // "5/15" means from 5 to the end of the field, every 15.
      high = stepText === undefined ? low : field.max;
    }
    if (low === undefined || high === undefined || low > high) return undefined;
    for (let v = low; v <= high; v += step) values.add(v);
  }
  return { values, any: text === '*' || text === '?' };
}

/**
 * Checks a CronJob schedule: five cron fields or a macro. `TZ=` and `CRON_TZ=` prefixes are refused
 * (the API server refuses them too); the zone is the CronJob's `timeZone`.
 */
export function checkCronSchedule(owner: Owner, field: string, schedule: string, timeZoneField: string): string {
  if (typeof schedule !== 'string') invalid(owner, field, `a cron schedule: ${SCHEDULE_FORM}`, schedule);
  const trimmed = schedule.trim();
  if (/^(CRON_)?TZ=/.test(trimmed)) {
    invalid(owner, field, `a cron schedule without a time zone prefix (set ${timeZoneField} instead)`, schedule);
  }
  if (trimmed.startsWith('@')) {
    if (!MACROS.includes(trimmed)) invalid(owner, field, `a cron schedule: ${SCHEDULE_FORM}`, schedule);
    return trimmed;
  }
  const parts = trimmed.split(/\s+/);
  if (parts.length !== 5) invalid(owner, field, `a cron schedule: ${SCHEDULE_FORM}`, schedule);
  const selected = parts.map((text, i) => {
    const f = FIELDS[i];
    const values = fieldValues(text, f);
    if (!values) {
      const names = f.names ? ` (or ${f.names[0].toUpperCase()}-${f.names[f.names.length - 1].toUpperCase()})` : '';
      invalid(owner, field, `a cron schedule whose ${f.name} field (the ${f.ordinal}) is "*", a value from ${f.min} to ${f.max}${names}, `
        + 'a range "a-b", a step "*/n", "a/n" or "a-b/n", or a comma-separated list of them', schedule);
    }
    return values;
  });
  // When the day of the week is "*", only the day of the month decides, and "31 in February" never comes.
  const [, , days, months, weekdays] = selected;
  if (weekdays.any && ![...months.values].some((month) => [...days.values].some((day) => day <= DAYS_IN_MONTH[month - 1]))) {
    invalid(owner, field, 'a cron schedule that fires: none of its months has any of its days of the month', schedule);
  }
  return parts.join(' ');
}

/**
 * Checks an IANA time zone name as the API server does (each part up to 14 letters, digits, ".",
 * "_", "+" or "-"); whether the zone exists is left to the API server, whose zone database is
 * the one that counts.
 */
export function checkTimeZone(owner: Owner, field: string, timeZone: string): string {
  const parts = typeof timeZone === 'string' ? timeZone.split('/') : [];
  const valid = parts.length > 0 && timeZone.toLowerCase() !== 'local'
    && parts.every((p) => /^[A-Za-z][A-Za-z0-9._+-]{0,13}$/.test(p));
  if (!valid) {
    invalid(owner, field, 'an IANA time zone name such as "Europe/Berlin", "America/New_York" or "UTC" (not "Local", which is whatever zone the controller runs in)', timeZone);
  }
  return timeZone;
}
