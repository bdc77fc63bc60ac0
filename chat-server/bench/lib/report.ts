/** The shape every bench part returns, and the Markdown table run-all prints and saves. */

export interface Row {
  metric: string;
  ours: string;
  reference: string;
  ratio: string;
  target?: string;
  /** undefined: no target for this row. */
  pass?: boolean;
}

export interface PartResult {
  title: string;
  /** What was measured and how, one line. */
  setup: string;
  rows: Row[];
  notes: string[];
}

export function markdownTable(part: PartResult): string {
  const lines = [
    `### ${part.title}`,
    '',
    part.setup,
    '',
    '| Metric | Ours | Reference | Ours / ref | Target |',
    '| --- | ---: | ---: | ---: | --- |',
    ...part.rows.map(
      (r) =>
        `| ${r.metric} | ${r.ours} | ${r.reference} | ${r.ratio} | ${
          r.target ? `${r.target} ${r.pass === undefined ? '' : r.pass ? '✅' : '❌ missed'}` : ''
        } |`,
    ),
  ];
  if (part.notes.length > 0) lines.push('', ...part.notes.map((n) => `- ${n}`));
  return lines.join('\n');
}
