import { sha256Hex } from '../../shared/hashing';

/**
 * What compile/create reports about the code besides its state (contract §3.5): the parameters
 * the algorithm reads (`get_parameter`/`GetParameter`) per file and line, and a signature of the
 * exact sources compiled. QuantConnect's `type` is free text ("Description of the detected
 * parameter"); ours starts with the value type the call implies, then names the parameter, e.g.
 * `number parameter "ema_fast" read with get_parameter (default 0.5)`.
 */
export interface FileParameters {
  file: string;
  parameters: { line: number; type: string }[];
}

export interface ParameterRead {
  line: number;
  name: string;
  method: string;
  /** `string` without a default (GetParameter returns text), else the default literal's type. */
  valueType: 'string' | 'integer' | 'number' | 'boolean' | 'unknown';
  defaultValue?: string;
}

// `self.get_parameter("x")`, `algorithm.GetParameter('x', 0.5)`, `get_parameter(name="x", default_value=3)`.
const PYTHON_READ =
  /\.\s*(get_parameter|GetParameter)\s*\(\s*(?:name\s*=\s*)?(?:[rRuU])?(["'])((?:\\.|(?!\2)[^\\\n])*)\2\s*(?:,\s*(?:default_value\s*=\s*)?([^)\n]*?))?\s*,?\s*\)/g;
// `GetParameter("x")`, `GetParameter("x", 10)`, `GetParameter("x", 0.5m)`.
const CSHARP_READ = /\b(GetParameter)\s*\(\s*(?:name\s*:\s*)?@?(")((?:\\.|[^"\\\n])*)"\s*(?:,\s*(?:defaultValue\s*:\s*)?([^)\n]*?))?\s*\)/g;

function valueTypeOf(literal: string | undefined, language: 'python' | 'csharp'): ParameterRead['valueType'] {
  if (literal === undefined || literal === '') return 'string';
  const v = literal.trim();
  if (/^[-+]?\d[\d_]*$/.test(v)) return 'integer';
  if (/^[-+]?(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][-+]?\d+)?[mMdDfF]?$/.test(v)) return 'number';
  if (language === 'python' ? /^(True|False)$/.test(v) : /^(true|false)$/.test(v)) return 'boolean';
  if (/^[rRuUbBfF]?(["']).*\1$/.test(v) || /^@?".*"$/.test(v)) return 'string';
  return 'unknown';
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return starts;
}

function lineAt(starts: number[], offset: number): number {
  let line = 0;
  while (line + 1 < starts.length && (starts[line + 1] as number) <= offset) line++;
  return line + 1;
}

/** Parameter reads of one file (`.py` or `.cs`); calls on a commented-out line are skipped. */
export function findParameterReads(fileName: string, content: string): ParameterRead[] {
  const lower = fileName.toLowerCase();
  const language = lower.endsWith('.py') ? 'python' : lower.endsWith('.cs') ? 'csharp' : undefined;
  if (!language) return [];
  const text = content.replace(/\r\n?/g, '\n');
  const starts = lineStarts(text);
  const comment = language === 'python' ? '#' : '//';
  const pattern = new RegExp(language === 'python' ? PYTHON_READ : CSHARP_READ);
  const reads: ParameterRead[] = [];
  for (const match of text.matchAll(pattern)) {
    const offset = match.index ?? 0;
    const line = lineAt(starts, offset);
    if (text.slice(starts[line - 1], offset).includes(comment)) continue;
    const defaultValue = match[4]?.trim() || undefined;
    reads.push({
      line,
      name: match[3] ?? '',
      method: match[1] ?? '',
      valueType: valueTypeOf(defaultValue, language),
      ...(defaultValue ? { defaultValue } : {}),
    });
  }
  return reads;
}

export function describeRead(read: ParameterRead): string {
  return `${read.valueType} parameter "${read.name}" read with ${read.method}${read.defaultValue ? ` (default ${read.defaultValue})` : ''}`;
}

/** compile/create's `parameters`: only files that read at least one parameter, in file order. */
export function detectParameters(files: { name: string; content: string }[]): FileParameters[] {
  return files.flatMap((f) => {
    const reads = findParameterReads(f.name, f.content);
    return reads.length ? [{ file: f.name, parameters: reads.map((r) => ({ line: r.line, type: describeRead(r) })) }] : [];
  });
}

/**
 * The signature of a snapshot: SHA-256 over the file names in order and their content hashes, so
 * the same sources always give the same signature and any change gives another.
 */
export function snapshotSignature(files: { name: string; sha256: string }[]): { signature: string; signatureOrder: string[] } {
  const signatureOrder = files.map((f) => f.name);
  return { signature: sha256Hex(files.map((f) => `${f.name}\u0000${f.sha256}`).join('\n')), signatureOrder };
}
