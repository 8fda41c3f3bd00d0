// Shows run times in a batch's time zone, reads a zone's wall clock and UTC offset, and checks (and suggests) IANA time-zone names.

/** Every zone name this runtime's ICU knows (its canonical spellings), plus `UTC`. */
function knownZones(): readonly string[] {
  if (!zoneList) {
    // Intl.supportedValuesOf is ES2022 (Node >= 18) while the project compiles against the ES2020 lib.
    const intl = Intl as unknown as { supportedValuesOf?: (key: 'timeZone') => string[] };
    // ICU lists some zones under their old names (Asia/Calcutta); offer the current IANA names too.
    const renamed = ['Asia/Kolkata', 'Europe/Kyiv', 'Asia/Kathmandu', 'Asia/Yangon', 'Asia/Ho_Chi_Minh', 'America/Nuuk', 'Pacific/Kanton'];
    const listed = intl.supportedValuesOf?.('timeZone') ?? [];
    zoneList = ['UTC', ...renamed.filter((z) => !listed.includes(z) && formatter(z) !== undefined), ...listed];
  }
  return zoneList;
}
let zoneList: string[] | undefined;

/** The listed zones by their lower-case spelling (isTimeZone runs for every formatted time). */
function zonesByLowerCase(): ReadonlyMap<string, string> {
  zoneByLower ??= new Map(knownZones().map((z) => [z.toLowerCase(), z]));
  return zoneByLower;
}
let zoneByLower: Map<string, string> | undefined;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** A cached formatter for `timeZone`, or undefined when Intl does not know the zone. */
function formatter(timeZone: string): Intl.DateTimeFormat | undefined {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      });
    } catch {
      return undefined;
    }
    formatters.set(timeZone, f);
  }
  return f;
}

/**
 * Whether `name` is a usable IANA time-zone name for a batch to run in.
 *
 * Accepted: names Intl accepts that are `UTC` or contain a `/` (`Asia/Seoul`, `America/New_York`,
 * `Etc/GMT+9`), spelled with IANA capitalization (every part starts with an upper-case letter).
 * Rejected even though Intl accepts them: abbreviations such as `EST`, `CET` or `GMT` (ambiguous, or
 * fixed offsets that ignore daylight saving; `KST` is not even known to Intl), and other spellings
 * such as `asia/seoul`, so configuration holds one spelling per zone.
 *
 * @example
 * isTimeZone('Asia/Seoul') // true
 * isTimeZone('Asia/Seol')  // false (see suggestTimeZone)
 * isTimeZone('KST')        // false
 */
export function isTimeZone(name: string): boolean {
  if (typeof name !== 'string') return false;
  if (name !== 'UTC' && !name.includes('/')) return false;
  if (!name.split('/').every((part) => /^[A-Z]/.test(part))) return false;
  const f = formatter(name);
  if (f === undefined) return false;
  // Intl accepts any case (`America/NEW_YORK`); the Scheduler and the handler's clock are given
  // the name as written, so only the IANA spelling is accepted.
  return canonicalSpelling(name, f) === name;
}

/**
 * The IANA spelling of a zone name Intl accepts in some case: the listed zone equal to it ignoring
 * case, else the name Intl resolves it to when that differs only in case, else the name itself (an
 * alias Intl keeps, such as `US/Eastern`).
 */
function canonicalSpelling(name: string, f: Intl.DateTimeFormat): string {
  const lower = name.toLowerCase();
  const listed = zonesByLowerCase().get(lower);
  if (listed !== undefined) return listed;
  const resolved = f.resolvedOptions().timeZone;
  return resolved.toLowerCase() === lower ? resolved : name;
}

/**
 * Formats `date` as wall-clock time in `timeZone`, to the minute, with the zone's UTC offset at that
 * instant (so daylight saving is visible).
 *
 * @param date the instant to show.
 * @param timeZone an IANA name accepted by {@link isTimeZone}; `UTC` gives the short UTC form.
 * @throws Error when `timeZone` is not accepted, suggesting the closest valid name.
 * @example
 * formatInTimeZone(new Date('2026-11-26T03:00:00Z'), 'Asia/Seoul') // "2026-11-26 12:00 (Asia/Seoul, UTC+09:00)"
 * formatInTimeZone(new Date('2026-11-26T03:00:00Z'), 'UTC')        // "2026-11-26 03:00 UTC"
 */
export function formatInTimeZone(date: Date, timeZone: string): string {
  if (!isTimeZone(timeZone)) {
    const suggestion = suggestTimeZone(timeZone);
    throw new Error(
      `Unknown time zone "${timeZone}"` +
        (suggestion ? `; did you mean "${suggestion}"?` : '; use an IANA name such as "Europe/Berlin" or "UTC"'),
    );
  }
  if (Number.isNaN(date.getTime())) throw new RangeError('date must be a valid Date');
  const wall = wallClock(date, timeZone);
  const text = `${wall.year}-${pad(wall.month)}-${pad(wall.day)} ${pad(wall.hour)}:${pad(wall.minute)}`;
  if (timeZone === 'UTC') return `${text} UTC`;
  const offsetMinutes = utcOffsetMinutes(date, timeZone);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${text} (${timeZone}, UTC${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)})`;
}

/**
 * The valid IANA name closest to a mistyped one, for error messages, or undefined when nothing is close.
 *
 * Compares case-insensitively by edit distance against every zone Intl knows (also against the city
 * part alone, so `Seoul` finds `Asia/Seoul`) and accepts at most about one edit per three characters.
 * A name that is already valid is returned as is.
 *
 * @example
 * suggestTimeZone('Asia/Seol')   // "Asia/Seoul"
 * suggestTimeZone('new york')    // "America/New_York"
 * suggestTimeZone('Mars/Olympus') // undefined
 */
export function suggestTimeZone(name: string): string | undefined {
  if (typeof name !== 'string') return undefined;
  if (isTimeZone(name)) return name;
  const wanted = name.trim().toLowerCase().replace(/ /g, '_');
  if (wanted === '') return undefined;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const zone of knownZones()) {
    const lower = zone.toLowerCase();
    const city = lower.slice(lower.lastIndexOf('/') + 1);
    const d = Math.min(editDistance(wanted, lower), wanted.includes('/') ? Infinity : editDistance(wanted, city));
    if (d < bestDistance) {
      best = zone;
      bestDistance = d;
    }
  }
  const allowed = Math.max(1, Math.floor(wanted.length / 3));
  return best !== undefined && bestDistance <= allowed && isTimeZone(best) ? best : undefined;
}

/** The zone's offset from UTC at `date`, in minutes (Asia/Seoul: 540; America/New_York in winter: -300). */
export function utcOffsetMinutes(date: Date, timeZone: string): number {
  if (timeZone === 'UTC') return 0;
  const wall = wallClock(date, timeZone);
  // The wall clock read as if it were UTC, minus the real instant (both to the second).
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return Math.round((asUtc - Math.floor(date.getTime() / 1000) * 1000) / 60_000);
}

/** A run time as the views show it: in UTC, and in the batch's zone unless that is UTC. */
export function runTimes(run: Date, timeZone: string): { readonly utc: string; readonly local?: string } {
  const utc = formatInTimeZone(run, 'UTC');
  return timeZone === 'UTC' ? { utc } : { utc, local: formatInTimeZone(run, timeZone) };
}

/** A wall-clock reading: what a clock in some time zone shows. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** What a clock in `timeZone` shows at `date` (month 1-12). */
export function wallClock(date: Date, timeZone: string): WallClock {
  const f = formatter(timeZone);
  if (!f) throw new RangeError(`"${timeZone}" is not a time zone this Node.js knows`);
  const parts: Partial<Record<Intl.DateTimeFormatPartTypes, number>> = {};
  for (const p of f.formatToParts(date)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year ?? NaN,
    month: parts.month ?? NaN,
    day: parts.day ?? NaN,
    hour: parts.hour ?? NaN,
    minute: parts.minute ?? NaN,
    second: parts.second ?? NaN,
  };
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/**
 * Levenshtein distance with two rows; zone names are short, so this stays cheap over ~420 zones.
 * Also suggests option names (the validator's did-you-mean for unknown keys).
 */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_v, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
