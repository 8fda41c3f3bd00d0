// Fits a Markdown report into a length (a GitHub comment holds 65,536 characters): the head always, stack sections while they fit, then what was left out.
import { plural } from './report-facts';

/** Options of `renderMarkdownReport` (report-markdown.ts). */
export interface MarkdownReportOptions {
  /**
   * Longest report, in characters. Past it, the summary, the destructive changes, the drift
   * (resources changed outside CloudFormation) and the permissions are always kept; stack sections are kept in order while they fit, and a last line
   * names the ones left out and where the whole report is.
   * @default no limit
   * @example { maxLength: 60_000, fullReport: 'the job summary' } // a GitHub comment holds 65,536
   */
  readonly maxLength?: number;
  /** Where the whole report can be read, for that last line. @default 'the job summary' */
  readonly fullReport?: string;
}

/** The head, then as many stack sections as fit in `maxLength`, then what was left out (stack names worded by `quote`). */
export function fitted(
  head: string,
  sections: ReadonlyArray<{ stackName: string; text: string }>,
  options: MarkdownReportOptions & { readonly quote: (name: string) => string },
): string {
  const whole = [head, ...sections.map((s) => s.text)].join('\n\n');
  if (options.maxLength === undefined || whole.length <= options.maxLength) return whole;
  const where = options.fullReport ?? 'the job summary';
  const omission = (left: readonly string[]) =>
    `> **Shortened to fit:** the ${plural(left.length, 'section')} of ${left.map(options.quote).join(', ')} ${left.length === 1 ? 'is' : 'are'} left out here; the whole report is in ${where}.`;
  const kept = [head];
  let length = head.length;
  const left: string[] = [];
  // Room for the omission line, sized as if every section were left out.
  const reserve = omission(sections.map((s) => s.stackName)).length + 4;
  for (const s of sections) {
    if (!left.length && length + 2 + s.text.length + reserve <= options.maxLength) {
      kept.push(s.text);
      length += 2 + s.text.length;
    } else {
      left.push(s.stackName);
    }
  }
  return [...kept, omission(left)].join('\n\n');
}

