// Day-of-week numbers: AWS cron numbers days 1-7 = SUN-SAT, Unix crontab 0-7 with 0 and 7 = Sunday,
// so the same digits name different days. These helpers convert between the two and to names,
// which mean the same in both.

const NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;

/** Whether a day-of-week field uses numbers only (digits with `,` `-` `/` `*`; no names, `#`, `L` or `?`). */
export function numericWeekdays(dow: string): boolean {
  return /\d/.test(dow) && /^[\d,*/-]+$/.test(dow);
}

/** Renumbers a Unix day-of-week field (0-7, 0 and 7 = Sunday) to AWS (1-7, 1 = SUN); names pass through. */
export function unixWeekdaysToAws(dow: string): string {
  const shift = (v: string) => (/^\d+$/.test(v) ? String((Number(v) % 7) + 1) : v);
  return dow
    .split(',')
    .map((item) => {
      const [base, step] = item.split('/');
      const [a, b] = base.split('-');
      let out = shift(a);
      if (b !== undefined) {
        const [sa, sb] = [shift(a), shift(b)];
        // Unix 5-7 (Fri-Sun) becomes 6-1 in AWS numbering, which would run backwards: split it.
        out = /^\d+$/.test(sa) && /^\d+$/.test(sb) && Number(sb) < Number(sa) ? `${sa}-7,${sb === '1' ? '1' : `1-${sb}`}` : `${sa}-${sb}`;
      }
      return step === undefined ? out : `${out}/${step}`;
    })
    .join(',');
}

/** An AWS day-of-week field (1-7 = SUN-SAT) with its numbers written as names: `2-6` → `MON-FRI`. */
export function awsWeekdayNames(dow: string): string {
  // Only day values become names: a step (`/2`) stays a number.
  return dow
    .split(',')
    .map((item) => {
      const [base, step] = item.split('/');
      const named = base.replace(/\d+/g, (n) => NAMES[Number(n) - 1] ?? n);
      return step === undefined ? named : `${named}/${step}`;
    })
    .join(',');
}

/** A Unix day-of-week field as AWS day names: `1-5` → `MON-FRI`, `0` → `SUN`. */
export function unixWeekdayNames(dow: string): string {
  return awsWeekdayNames(unixWeekdaysToAws(dow));
}

/** The days (0 = SUN ... 6 = SAT) a numeric day-of-week field matches, read with AWS or Unix numbering. */
export function weekdaySet(dow: string, numbering: 'aws' | 'unix'): ReadonlySet<number> {
  const [lo, hi] = numbering === 'aws' ? [1, 7] : [0, 7];
  const day = (n: number) => (numbering === 'aws' ? n - 1 : n % 7);
  const days = new Set<number>();
  for (const item of dow.split(',')) {
    const [base, stepText] = item.split('/');
    const step = stepText === undefined ? 1 : Math.max(1, Number(stepText) || 1);
    const [a, b] = base === '*' ? [String(lo), String(hi)] : base.split('-');
    const from = Number(a);
    const to = b === undefined ? (stepText === undefined ? from : hi) : Number(b);
    for (let n = from; n <= to; n += step) days.add(day(n));
  }
  return days;
}

/** Whether a numeric day-of-week field matches the same days in AWS and Unix numbering (`1-7`, every other day from Sunday). */
export function sameDays(dow: string): boolean {
  const [aws, unix] = [weekdaySet(dow, 'aws'), weekdaySet(dow, 'unix')];
  return aws.size === unix.size && [...aws].every((d) => unix.has(d));
}
