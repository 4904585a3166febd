/** The bench's result rows and their Markdown table. */

export type Verdict = 'pass' | 'MISS' | 'info';

export interface Row {
  measure: string;
  value: string;
  baseline: string;
  /** The ratio (when there is a baseline to divide by) and the target. */
  ratioTarget: string;
  verdict: Verdict;
}

const COLUMNS = ['measure', 'value', 'baseline', 'ratio / target', 'verdict'];

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** A GitHub-flavoured Markdown table of the rows. */
export function markdownTable(rows: readonly Row[]): string {
  const lines = [`| ${COLUMNS.join(' | ')} |`, `|${COLUMNS.map(() => '---').join('|')}|`];
  for (const r of rows) lines.push(`| ${[r.measure, r.value, r.baseline, r.ratioTarget, r.verdict].map(cell).join(' | ')} |`);
  return `${lines.join('\n')}\n`;
}

export const ms = (x: number): string => `${x.toFixed(1)} ms`;
export const verdict = (ok: boolean): Verdict => (ok ? 'pass' : 'MISS');
