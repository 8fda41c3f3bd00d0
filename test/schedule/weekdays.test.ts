import { awsWeekdayNames, numericWeekdays, sameDays, unixWeekdayNames, unixWeekdaysToAws, weekdaySet } from '../../src/schedule/weekdays';

describe('day-of-week numbering', () => {
  test.each([
    ['1-5', true], ['0', true], ['2,4', true], ['*/2', true],
    ['MON-FRI', false], ['*', false], ['?', false], ['3#2', false], ['6L', false],
  ])('numericWeekdays(%s) is %s', (dow, expected) => {
    expect(numericWeekdays(dow)).toBe(expected);
  });

  test.each([
    ['1-5', '2-6'], ['0', '1'], ['7', '1'], ['5-7', '6-7,1'], ['4-6', '5-7'], ['1-5/2', '2-6/2'], ['MON', 'MON'],
  ])('unixWeekdaysToAws(%s) is %s', (dow, expected) => {
    expect(unixWeekdaysToAws(dow)).toBe(expected);
  });

  test.each([
    ['1-5', 'SUN-THU'], ['2-6', 'MON-FRI'], ['1,7', 'SUN,SAT'], ['2-6/2', 'MON-FRI/2'], ['*/2', '*/2'],
  ])('awsWeekdayNames(%s) is %s', (dow, expected) => {
    expect(awsWeekdayNames(dow)).toBe(expected);
  });

  test.each([
    ['1-5', 'MON-FRI'], ['0', 'SUN'], ['0-6', 'SUN-SAT'], ['6,0', 'SAT,SUN'], ['5-7', 'FRI-SAT,SUN'],
  ])('unixWeekdayNames(%s) is %s', (dow, expected) => {
    expect(unixWeekdayNames(dow)).toBe(expected);
  });

  test('weekdaySet reads the same digits as different days (0 = SUN ... 6 = SAT)', () => {
    expect([...weekdaySet('1-5', 'aws')].sort()).toEqual([0, 1, 2, 3, 4]);
    expect([...weekdaySet('1-5', 'unix')].sort()).toEqual([1, 2, 3, 4, 5]);
    expect([...weekdaySet('*/2', 'aws')].sort()).toEqual([0, 2, 4, 6]);
    expect([...weekdaySet('*/2', 'unix')].sort()).toEqual([0, 2, 4, 6]);
    expect([...weekdaySet('2/3', 'aws')].sort()).toEqual([1, 4]);
  });

  test.each([
    ['1-7', true], ['*/2', true], ['1-5', false], ['2', false], ['1,7', false],
  ])('sameDays(%s) is %s', (dow, expected) => {
    expect(sameDays(dow)).toBe(expected);
  });
});
