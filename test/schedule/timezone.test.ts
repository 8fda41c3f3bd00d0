// Checks time-zone validation, typo suggestions, and wall-clock display across daylight-saving changes.

import { formatInTimeZone, isTimeZone, nextRuns } from '../../src/schedule';
import { suggestTimeZone } from '../../src/schedule/timezone';

describe('isTimeZone', () => {
  test.each(['UTC', 'Etc/UTC', 'Asia/Seoul', 'America/New_York', 'Europe/Berlin', 'Asia/Kolkata', 'Etc/GMT+9', 'America/Argentina/Buenos_Aires'])(
    '%s is accepted',
    (name) => expect(isTimeZone(name)).toBe(true),
  );

  test.each([
    ['', 'empty'],
    ['Asia/Seol', 'typo'],
    ['KST', 'abbreviation unknown to Intl'],
    ['EST', 'abbreviation Intl accepts (a fixed offset)'],
    ['GMT', 'abbreviation Intl accepts'],
    ['asia/seoul', 'wrong capitalization'],
    ['Mars/Olympus', 'made up'],
  ])('%p is rejected (%s)', (name) => expect(isTimeZone(name)).toBe(false));
});

describe('suggestTimeZone', () => {
  test.each([
    ['Asia/Seol', 'Asia/Seoul'],
    ['asia/seoul', 'Asia/Seoul'],
    ['America/New_Yrok', 'America/New_York'],
    ['new york', 'America/New_York'],
    ['Seoul', 'Asia/Seoul'],
    ['Europe/Berln', 'Europe/Berlin'],
    ['Kolkata', 'Asia/Kolkata'],
    ['Asia/Seoul', 'Asia/Seoul'],
  ])('%p -> %p', (typo, suggestion) => expect(suggestTimeZone(typo)).toBe(suggestion));

  test.each(['Mars/Olympus', 'KST', ''])('%p has no close match', (name) => expect(suggestTimeZone(name)).toBeUndefined());
});

describe('formatInTimeZone', () => {
  test('a zone without daylight saving', () => {
    expect(formatInTimeZone(new Date('2026-11-26T03:00:00Z'), 'Asia/Seoul')).toBe('2026-11-26 12:00 (Asia/Seoul, UTC+09:00)');
  });

  test('UTC uses the short form', () => {
    expect(formatInTimeZone(new Date('2026-11-26T03:00:00Z'), 'UTC')).toBe('2026-11-26 03:00 UTC');
  });

  test('half-hour offsets and date changes', () => {
    expect(formatInTimeZone(new Date('2026-11-26T03:00:00Z'), 'Asia/Kolkata')).toBe('2026-11-26 08:30 (Asia/Kolkata, UTC+05:30)');
    expect(formatInTimeZone(new Date('2026-11-26T03:00:00Z'), 'America/St_Johns')).toBe('2026-11-25 23:30 (America/St_Johns, UTC-03:30)');
  });

  test('America/New_York leaving DST on 2026-11-01: same UTC time, local time one hour earlier', () => {
    const runs = nextRuns('cron(30 6 * * ? *)', 3, new Date('2026-10-30T12:00:00Z'));
    expect(runs.map((d) => d.toISOString())).toEqual(['2026-10-31T06:30:00.000Z', '2026-11-01T06:30:00.000Z', '2026-11-02T06:30:00.000Z']);
    expect(runs.map((d) => formatInTimeZone(d, 'America/New_York'))).toEqual([
      '2026-10-31 02:30 (America/New_York, UTC-04:00)',
      '2026-11-01 01:30 (America/New_York, UTC-05:00)',
      '2026-11-02 01:30 (America/New_York, UTC-05:00)',
    ]);
  });

  test('Europe/Berlin entering DST on 2027-03-28: same UTC time, local time one hour later', () => {
    const runs = nextRuns('cron(30 6 * * ? *)', 2, new Date('2027-03-27T00:00:00Z'));
    expect(runs.map((d) => formatInTimeZone(d, 'UTC'))).toEqual(['2027-03-27 06:30 UTC', '2027-03-28 06:30 UTC']);
    expect(runs.map((d) => formatInTimeZone(d, 'Europe/Berlin'))).toEqual([
      '2027-03-27 07:30 (Europe/Berlin, UTC+01:00)',
      '2027-03-28 08:30 (Europe/Berlin, UTC+02:00)',
    ]);
  });

  test('an unknown zone throws with a suggestion', () => {
    expect(() => formatInTimeZone(new Date(0), 'Asia/Seol')).toThrow('Unknown time zone "Asia/Seol"; did you mean "Asia/Seoul"?');
    expect(() => formatInTimeZone(new Date(0), 'KST')).toThrow('Unknown time zone "KST"; use an IANA name');
  });

  test('an invalid date throws', () => {
    expect(() => formatInTimeZone(new Date('nope'), 'UTC')).toThrow(RangeError);
  });
});

describe('zone names in another case than IANA spells them', () => {
  test.each(['America/NEW_YORK', 'Europe/LONDON', 'AMERICA/New_York', 'Australia/sydney'])('%s is rejected, although Intl accepts it', (name) => {
    expect(isTimeZone(name)).toBe(false);
  });
  test('the suggestion is the IANA spelling', () => {
    expect(suggestTimeZone('America/NEW_YORK')).toBe('America/New_York');
    expect(suggestTimeZone('Australia/sydney')).toBe('Australia/Sydney');
  });
  test('the IANA spellings, and aliases Intl keeps, are still accepted', () => {
    for (const z of ['America/New_York', 'Australia/Sydney', 'America/Argentina/Buenos_Aires', 'Etc/GMT+9', 'UTC']) expect(isTimeZone(z)).toBe(true);
  });
});
