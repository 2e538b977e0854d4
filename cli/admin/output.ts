/** What a command prints: a JSON value for `--json`, text lines otherwise. */
export interface Output {
  json: unknown;
  text: string;
}

/** Plain columns, padded to the widest cell; `-` for an empty cell. */
export function table(headers: string[], rows: (string | number | undefined)[][]): string {
  if (rows.length === 0) return '(none)';
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === undefined || c === '' ? '-' : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ')).join('\n');
}

/** `key: value` lines with aligned values. */
export function fields(pairs: [string, string | number | undefined][]): string {
  const width = Math.max(...pairs.map(([k]) => k.length)) + 1;
  return pairs
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${`${k}:`.padEnd(width)} ${v}`)
    .join('\n');
}
