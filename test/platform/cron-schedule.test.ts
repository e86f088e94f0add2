import { checkCronSchedule, checkTimeZone } from '../../src/platform/cron-schedule';

const schedule = (text: string) => checkCronSchedule('CronJob', 'schedule', text, 'timeZone');

describe('cron schedules, as the CronJob controller reads them', () => {
  test.each([
    ['30 3 * * *'],
    ['*/15 * * * *'],
    ['0,30 8-18 * * MON-FRI'],
    ['0 4 1 jan,Jul ?'],
    ['5/20 * * * *'],
    ['0 0 29 2 *'],
    ['0 0 31 2 1'],
    ['0 12 1-7/2 */3 sun'],
    ['@hourly'], ['@daily'], ['@midnight'], ['@weekly'], ['@monthly'], ['@yearly'], ['@annually'],
  ])('GIVEN %j THEN it is accepted', (text) => {
    expect(schedule(text)).toBe(text);
  });

  test('GIVEN extra whitespace THEN the fields are written with single spaces', () => {
    expect(schedule(' 30  3 * *\t* ')).toBe('30 3 * * *');
  });

  test.each([
    ['* * * *', /schedule must be a cron schedule: five fields "minute hour day-of-month month day-of-week" such as "30 3 \* \* \*", or one of "@yearly", .*"@hourly"; got "\* \* \* \*"$/],
    ['0 3 * * * *', /schedule must be a cron schedule: five fields/],
    ['@every 1h', /schedule must be a cron schedule: five fields/],
    ['@Daily', /schedule must be a cron schedule: five fields/],
    ['60 * * * *', /schedule must be a cron schedule whose minute field \(the 1st\) is "\*", a value from 0 to 59, a range "a-b", a step "\*\/n", "a\/n" or "a-b\/n", or a comma-separated list of them; got "60 \* \* \* \*"$/],
    ['0 24 * * *', /whose hour field \(the 2nd\) is "\*", a value from 0 to 23,/],
    ['0 0 0 * *', /whose day-of-month field \(the 3rd\) is "\*", a value from 1 to 31,/],
    ['0 0 * 13 *', /whose month field \(the 4th\) is "\*", a value from 1 to 12 \(or JAN-DEC\),/],
    ['0 0 * * 7', /whose day-of-week field \(the 5th\) is "\*", a value from 0 to 6 \(or SUN-SAT\),/],
    ['jan * * * *', /whose minute field/],
    ['*/0 * * * *', /whose minute field/],
    ['10-5 * * * *', /whose minute field/],
    ['1,,2 * * * *', /whose minute field/],
    ['0 0 31 2 *', /schedule must be a cron schedule that fires: none of its months has any of its days of the month; got "0 0 31 2 \*"$/],
    ['0 0 30,31 feb *', /a cron schedule that fires/],
    ['CRON_TZ=Europe/Berlin 0 3 * * *', /schedule must be a cron schedule without a time zone prefix \(set timeZone instead\)/],
    ['TZ=UTC 0 3 * * *', /set timeZone instead/],
    [3 as unknown as string, /schedule must be a cron schedule: five fields.*; got 3$/],
  ])('GIVEN %j THEN it is refused, naming the prop and the form accepted', (text, message) => {
    expect(() => schedule(text)).toThrow(message);
    expect(() => schedule(text)).toThrow(/^CronJob: schedule must be /);
  });
});

describe('time zones', () => {
  test.each(['UTC', 'Europe/Berlin', 'America/Argentina/Buenos_Aires', 'Etc/GMT+10', 'America/Port-au-Prince', 'EST5EDT'])('GIVEN %j THEN it is accepted', (zone) => {
    expect(checkTimeZone('CronJob', 'timeZone', zone)).toBe(zone);
  });

  test.each(['', 'Local', 'local', 'Europe/Berlin ', 'Europe//Berlin', '../etc/passwd', '+01:00', 'America/ThisPartIsTooLong', 'CET;rm'])('GIVEN %j THEN it is refused, naming the prop', (zone) => {
    expect(() => checkTimeZone('CronJob', 'timeZone', zone))
      .toThrow(/^CronJob: timeZone must be an IANA time zone name such as "Europe\/Berlin", "America\/New_York" or "UTC" \(not "Local", which is whatever zone the controller runs in\); got /);
  });
});
