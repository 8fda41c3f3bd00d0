// Small Markdown helpers shared by the generated reference pages.

/** The line every generated page carries under its title. */
export function generatedMarker(source: string): string {
  return `<!-- Generated from ${source} by \`npx projen docs\`; do not edit. -->`;
}

/** Inline code, with a fence long enough for the backticks the text holds. */
export function code(s: string): string {
  const longest = Math.max(0, ...(s.match(/`+/g) ?? []).map((m) => m.length));
  const ticks = '`'.repeat(longest + 1);
  const pad = s.startsWith('`') || s.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${s}${pad}${ticks}`;
}

/** A table cell: one line, pipes escaped (GitHub also honours `\|` inside code spans). */
export function cell(s: string): string {
  return s.replace(/\r?\n\s*/g, ' ').replace(/\|/g, '\\|').trim();
}

/** A GitHub Markdown table. */
export function table(header: string[], rows: string[][]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ];
}

/** A fenced block in no language (the docs' code check compiles only ts blocks). */
export function fence(s: string): string[] {
  return ['```', ...s.split('\n'), '```'];
}

/** Joins lines into a page: one trailing newline, no runs of blank lines. */
export function page(lines: string[]): string {
  const out: string[] = [];
  for (const line of lines.flatMap((l) => l.split('\n'))) {
    const trimmed = line.replace(/\s+$/, '');
    if (trimmed === '' && (out.length === 0 || out[out.length - 1] === '')) continue;
    out.push(trimmed);
  }
  while (out[out.length - 1] === '') out.pop();
  return `${out.join('\n')}\n`;
}

/** Plain text from code (a command's description): `<name>` and `*` kept literal, not read as HTML or emphasis. */
export function text(plain: string): string {
  return plain.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\*/g, '\\*').replace(/_/g, '\\_');
}
