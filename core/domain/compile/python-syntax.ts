import type { PythonSyntaxError, SyntaxChecker } from '../../ports/syntax-checker';

/**
 * Python 3 syntax check in pure JavaScript, so a Python compile can answer BuildError with file
 * and line before any container starts (design §7). Two passes:
 *
 * 1. A small tokenizer of our own (strings incl. f-strings, comments, brackets, line
 *    continuations, indentation). It finds what the grammar below is blind to and words it as
 *    CPython does: unterminated strings, unclosed/unmatched brackets, unexpected indent, bad
 *    unindent, a missing indented block, mixed tabs and spaces.
 * 2. `@lezer/python`, an error-tolerant grammar: any error node is a syntax error. It is loaded
 *    on first use. In AWS only the syntax-check function carries this module (~100 KB with the
 *    grammar); the API functions reach it through the syntax-checker port (core/ports/syntax-checker.ts).
 *
 * The earliest problem in a file is reported. Where Lezer rejects valid modern syntax (a
 * parenthesised `with (a as b, c as d):` and PEP 614 decorators such as `@(lambda f: f)`), that
 * code is rewritten to same-length text Lezer accepts before parsing (decorator expressions are
 * checked on their own), so offsets, and therefore lines, stay those of the file.
 *
 * Known blind spots (CPython rejects, this accepts) — the algorithm then fails at run time instead:
 * - semantic compile-time errors: `return`/`yield`/`await` outside a function, `break`/`continue`
 *   outside a loop, assignment to a literal (`1 = x`), duplicate argument names, a positional
 *   argument after a keyword argument, `nonlocal` at module level;
 * - malformed numbers (`1__0`, `012`) and invalid escape sequences;
 * - targets after `as` in a parenthesised `with` are not checked;
 * - Python 3.12+ syntax is accepted (nested same-quote f-strings, `type X = ...`, generic
 *   `def f[T]`) although LEAN's image may run an older Python.
 */

interface Problem {
  offset: number;
  message: string;
}

interface Token {
  kind: 'name' | 'number' | 'string' | 'op';
  text: string;
  start: number;
  end: number;
  /** Bracket depth outside this token (an opening bracket's depth is the one before it). */
  depth: number;
}

interface LogicalLine {
  tokens: Token[];
}

interface Scan {
  lines: LogicalLine[];
  /** Comments and continuation backslashes: blanked when a multi-line header is folded. */
  blanks: [number, number][];
  problem?: Problem;
}

const OPENERS: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const CLOSERS = new Set([')', ']', '}']);
const STRING_PREFIXES = new Set(['r', 'u', 'b', 'f', 'br', 'rb', 'fr', 'rf']);
const BLOCK_KINDS: Record<string, string> = {
  def: 'function definition',
  class: 'class definition',
  if: "'if' statement",
  elif: "'elif' statement",
  else: "'else' statement",
  for: "'for' statement",
  while: "'while' statement",
  with: "'with' statement",
  try: "'try' statement",
  except: "'except' statement",
  finally: "'finally' statement",
  match: "'match' statement",
  case: "'case' statement",
};
const COMPOUND_KEYWORDS = new Set(['def', 'class', 'if', 'elif', 'else', 'for', 'while', 'with', 'try', 'except', 'finally']);
const IDENT_START = /[\p{L}_]/u;
const IDENT_PART = /[\p{L}\p{N}_]/u;
const NUMBER = /0[xXoObB][\w]*|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?[\d_]+)?[jJ]?/y;

/** Line starts of a text, for offset → line/column. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return starts;
}

function position(starts: number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] as number) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - (starts[lo] as number) + 1 };
}

class Tokenizer {
  private i = 0;
  private readonly n: number;
  private readonly brackets: { ch: string; pos: number }[] = [];
  private readonly indents = [{ col: 0, alt: 0 }];
  private readonly lines: LogicalLine[] = [];
  private readonly blanks: [number, number][] = [];
  private current: Token[] = [];
  private pendingBlock: { offset: number; keyword: string } | undefined;

  constructor(
    private readonly src: string,
    private readonly starts: number[],
  ) {
    this.n = src.length;
  }

  run(): Scan {
    const problem = this.scan();
    if (this.current.length) this.lines.push({ tokens: this.current });
    return { lines: this.lines, blanks: this.blanks, problem };
  }

  private lineOf(offset: number): number {
    return position(this.starts, offset).line;
  }

  private scan(): Problem | undefined {
    const { src, n } = this;
    let atLineStart = true;
    while (this.i < n) {
      if (atLineStart) {
        const problem = this.indentation();
        if (problem) return problem;
        if (this.i >= n) break;
        if (src[this.i] === '\n') {
          // A blank or comment-only line: the next physical line starts afresh.
          this.i++;
          continue;
        }
        atLineStart = false;
      }
      const c = src[this.i] as string;
      if (c === '\n') {
        this.i++;
        if (this.brackets.length === 0) {
          this.endLogicalLine();
          atLineStart = true;
        }
        continue;
      }
      if (c === ' ' || c === '\t' || c === '\f') {
        this.i++;
        continue;
      }
      if (c === '#') {
        const start = this.i;
        while (this.i < n && src[this.i] !== '\n') this.i++;
        this.blanks.push([start, this.i]);
        continue;
      }
      if (c === '\\') {
        if (src[this.i + 1] === '\n') {
          this.blanks.push([this.i, this.i + 2]);
          this.i += 2;
          continue;
        }
        return { offset: this.i, message: 'SyntaxError: unexpected character after line continuation character' };
      }
      const problem = this.token(c);
      if (problem) return problem;
    }
    if (this.brackets.length) {
      const open = this.brackets[this.brackets.length - 1] as { ch: string; pos: number };
      return { offset: open.pos, message: `SyntaxError: '${open.ch}' was never closed` };
    }
    this.endLogicalLine();
    if (this.pendingBlock) {
      const { offset, keyword } = this.pendingBlock;
      // CPython names the last line of the file, not the empty one after its final newline.
      const end = this.src.endsWith('\n') ? Math.max(0, this.n - 1) : this.n;
      return {
        offset: end,
        message: `IndentationError: expected an indented block after ${BLOCK_KINDS[keyword] ?? 'this statement'} on line ${this.lineOf(offset)}`,
      };
    }
    return undefined;
  }

  /** At the start of a physical line outside brackets: blank and comment lines do not count. */
  private indentation(): Problem | undefined {
    const { src, n } = this;
    let col = 0;
    let alt = 0;
    let j = this.i;
    for (; j < n; j++) {
      const c = src[j];
      if (c === ' ') {
        col++;
        alt++;
      } else if (c === '\t') {
        col = (Math.floor(col / 8) + 1) * 8;
        alt++;
      } else if (c === '\f') {
        col = 0;
        alt = 0;
      } else break;
    }
    if (j >= n || src[j] === '\n' || src[j] === '#') {
      const start = j;
      while (j < n && src[j] !== '\n') j++;
      if (j > start) this.blanks.push([start, j]);
      this.i = j;
      return undefined;
    }
    this.i = j;
    const top = this.indents[this.indents.length - 1] as { col: number; alt: number };
    const tabError = { offset: j, message: 'TabError: inconsistent use of tabs and spaces in indentation' };
    if (this.pendingBlock) {
      const { offset, keyword } = this.pendingBlock;
      this.pendingBlock = undefined;
      if (col <= top.col) {
        return {
          offset: j,
          message: `IndentationError: expected an indented block after ${BLOCK_KINDS[keyword] ?? 'this statement'} on line ${this.lineOf(offset)}`,
        };
      }
      if (alt <= top.alt) return tabError;
      this.indents.push({ col, alt });
      return undefined;
    }
    if (col > top.col) return { offset: j, message: 'IndentationError: unexpected indent' };
    while (this.indents.length > 1 && col < (this.indents[this.indents.length - 1] as { col: number }).col) this.indents.pop();
    const outer = this.indents[this.indents.length - 1] as { col: number; alt: number };
    if (col !== outer.col) return { offset: j, message: 'IndentationError: unindent does not match any outer indentation level' };
    if (alt !== outer.alt) return tabError;
    return undefined;
  }

  private endLogicalLine(): void {
    const tokens = this.current;
    this.current = [];
    if (tokens.length === 0) return;
    this.lines.push({ tokens });
    const last = tokens[tokens.length - 1] as Token;
    if (last.kind === 'op' && last.text === ':') {
      const first = tokens[0]?.text === 'async' ? tokens[1] : tokens[0];
      this.pendingBlock = { offset: first?.start ?? last.start, keyword: first?.text ?? '' };
    }
  }

  private push(kind: Token['kind'], start: number, end: number): void {
    this.current.push({ kind, text: this.src.slice(start, end), start, end, depth: this.brackets.length });
  }

  private token(c: string): Problem | undefined {
    const { src } = this;
    const start = this.i;
    if (IDENT_START.test(c)) {
      let j = start + 1;
      while (j < this.n && IDENT_PART.test(src[j] as string)) j++;
      const word = src.slice(start, j).toLowerCase();
      if ((src[j] === '"' || src[j] === "'") && STRING_PREFIXES.has(word)) return this.string(start, j, word);
      this.i = j;
      this.push('name', start, j);
      return undefined;
    }
    if (c === '"' || c === "'") return this.string(start, start, '');
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[start + 1] ?? ''))) {
      NUMBER.lastIndex = start;
      const match = NUMBER.exec(src);
      this.i = start + (match?.[0].length || 1);
      this.push('number', start, this.i);
      return undefined;
    }
    this.i++;
    if (OPENERS[c]) {
      this.push('op', start, this.i);
      this.brackets.push({ ch: c, pos: start });
      return undefined;
    }
    if (CLOSERS.has(c)) {
      const open = this.brackets.pop();
      if (!open) return { offset: start, message: `SyntaxError: unmatched '${c}'` };
      if (OPENERS[open.ch] !== c) {
        const where = this.lineOf(open.pos) === this.lineOf(start) ? '' : ` on line ${this.lineOf(open.pos)}`;
        return { offset: start, message: `SyntaxError: closing parenthesis '${c}' does not match opening parenthesis '${open.ch}'${where}` };
      }
      this.push('op', start, this.i);
      return undefined;
    }
    this.push('op', start, this.i);
    return undefined;
  }

  /** A string literal whose prefix starts at `start` and quote at `quoteAt`. */
  private string(start: number, quoteAt: number, prefix: string): Problem | undefined {
    const end = this.literal(quoteAt, prefix.includes('f'));
    if (typeof end !== 'number') return end;
    this.i = end;
    this.push('string', start, end);
    return undefined;
  }

  private unterminated(start: number, triple: boolean, at: number): Problem {
    const detected = this.lineOf(Math.min(at, this.n));
    return { offset: start, message: `SyntaxError: unterminated ${triple ? 'triple-quoted ' : ''}string literal (detected at line ${detected})` };
  }

  /** Scans a literal from its opening quote; returns the offset after it, or a problem. */
  private literal(quoteAt: number, formatted: boolean): number | Problem {
    const { src, n } = this;
    const q = src[quoteAt] as string;
    const triple = src.startsWith(q.repeat(3), quoteAt);
    const quote = triple ? q.repeat(3) : q;
    let j = quoteAt + quote.length;
    while (true) {
      if (j >= n) return this.unterminated(quoteAt, triple, n - 1);
      const c = src[j];
      if (c === '\\') {
        j += 2;
        continue;
      }
      if (src.startsWith(quote, j)) return j + quote.length;
      if (c === '\n' && !triple) return this.unterminated(quoteAt, triple, j);
      if (formatted && c === '{') {
        if (src[j + 1] === '{') {
          j += 2;
          continue;
        }
        const after = this.field(j + 1, quoteAt, quote, triple);
        if (typeof after !== 'number') return after;
        j = after;
        continue;
      }
      if (formatted && c === '}') {
        if (src[j + 1] !== '}') return { offset: j, message: "SyntaxError: f-string: single '}' is not allowed" };
        j += 2;
        continue;
      }
      j++;
    }
  }

  /**
   * A replacement field of an f-string, from after its `{`: an expression (which may hold
   * strings, also with the enclosing quote as Python 3.12 allows), then `!conversion` and
   * `:format spec` (itself holding nested fields). Returns the offset after the closing `}`.
   */
  private field(from: number, quoteAt: number, quote: string, triple: boolean): number | Problem {
    const { src, n } = this;
    let depth = 0;
    let j = from;
    let spec = false;
    while (true) {
      if (j >= n) return this.unterminated(quoteAt, triple, n - 1);
      const c = src[j] as string;
      if (spec) {
        if (src.startsWith(quote, j)) return { offset: j, message: "SyntaxError: f-string: expecting '}'" };
        if (c === '\n' && !triple) return this.unterminated(quoteAt, triple, j);
        if (c === '{') {
          const after = this.field(j + 1, quoteAt, quote, triple);
          if (typeof after !== 'number') return after;
          j = after;
          continue;
        }
        if (c === '}') return j + 1;
        j++;
        continue;
      }
      const prefixed = /^[rRbBuUfF]{1,2}(?=["'])/.exec(src.slice(j, j + 3));
      const wordBefore = j > from && IDENT_PART.test(src[j - 1] as string);
      if (c === '"' || c === "'" || (prefixed && !wordBefore && STRING_PREFIXES.has(prefixed[0].toLowerCase()))) {
        const quoteStart = prefixed && c !== '"' && c !== "'" ? j + prefixed[0].length : j;
        const end = this.literal(quoteStart, (prefixed?.[0] ?? '').toLowerCase().includes('f'));
        if (typeof end !== 'number') return end;
        j = end;
        continue;
      }
      if (OPENERS[c]) depth++;
      else if (CLOSERS.has(c)) {
        if (depth === 0) {
          if (c === '}') return j + 1;
          return { offset: j, message: `SyntaxError: f-string: unmatched '${c}'` };
        }
        depth--;
      } else if (c === ':' && depth === 0) spec = true;
      j++;
    }
  }
}

type LezerParser = typeof import('@lezer/python')['parser'];
let lezer: Promise<LezerParser> | undefined;
const loadParser = (): Promise<LezerParser> => {
  lezer ??= import('@lezer/python').then((m) => m.parser);
  return lezer;
};

/** Replaces [from, to) of a char array with spaces, keeping length. */
function blank(chars: string[], from: number, to: number): void {
  for (let k = from; k < to; k++) chars[k] = ' ';
}

function inBlanks(blanks: [number, number][], from: number, to: number): (k: number) => boolean {
  const inside = blanks.filter(([a, b]) => b > from && a < to);
  return (k) => inside.some(([a, b]) => k >= a && k < b);
}

/** Folds a range onto one line: newlines, comments and continuation backslashes become spaces. */
function fold(chars: string[], blanks: [number, number][], from: number, to: number): void {
  const isBlank = inBlanks(blanks, from, to);
  for (let k = from; k < to; k++) if (chars[k] === '\n' || isBlank(k)) chars[k] = ' ';
}

interface Rewrite {
  text: string;
  /** Decorator expressions to check on their own: [start, end) in the file. */
  decorators: [number, number][];
}

/** Same-length rewrite of the constructs Lezer rejects although they are valid Python. */
function rewriteForLezer(src: string, scan: Scan): Rewrite {
  const chars = [...src];
  // `[...src]` splits by code point; keep offsets in UTF-16 units like the tokenizer.
  if (chars.length !== src.length) return { text: src, decorators: [] };
  const decorators: [number, number][] = [];
  for (const { tokens } of scan.lines) {
    // Lezer refuses a float with a trailing dot (`5.`); `50` has the same length and meaning for syntax.
    for (const t of tokens) if (t.kind === 'number' && t.text.endsWith('.')) chars[t.end - 1] = '0';
    const first = tokens[0];
    if (first?.kind === 'op' && first.text === '@' && tokens.length > 1) {
      const from = (tokens[1] as Token).start;
      const to = (tokens[tokens.length - 1] as Token).end;
      decorators.push([from, to]);
      fold(chars, scan.blanks, from, to);
      blank(chars, from, to);
      chars[from] = 'x';
      continue;
    }
    const k = first?.text === 'async' ? 1 : 0;
    const open = tokens[k + 1];
    if (tokens[k]?.text !== 'with' || open?.text !== '(') continue;
    const closeIndex = tokens.findIndex((t, idx) => idx > k + 1 && t.text === ')' && t.depth === open.depth);
    const close = tokens[closeIndex];
    if (!close || tokens[closeIndex + 1]?.text !== ':') continue;
    const hasAs = tokens.slice(k + 2, closeIndex).some((t) => t.kind === 'name' && t.text === 'as' && t.depth === open.depth + 1);
    if (!hasAs) continue;
    fold(chars, scan.blanks, open.start, close.end);
    chars[open.start] = ' ';
    chars[close.start] = ' ';
  }
  return { text: chars.join(''), decorators };
}

function lezerErrors(parser: LezerParser, text: string): { from: number; print: boolean }[] {
  const found: { from: number; print: boolean }[] = [];
  parser.parse(text).iterate({
    enter: (node) => {
      if (node.type.isError) found.push({ from: node.from, print: false });
      // Lezer parses Python 2's `print "x"`; CPython 3 does not.
      else if (node.name === 'PrintStatement') found.push({ from: node.from, print: true });
    },
  });
  return found;
}

function grammarMessage(scan: Scan, offset: number, print: boolean): string {
  if (print) return "SyntaxError: Missing parentheses in call to 'print'. Did you mean print(...)?";
  const line = scan.lines.find(({ tokens }) => {
    const first = tokens[0];
    const last = tokens[tokens.length - 1];
    return first && last && first.start <= offset && offset <= last.end + 1;
  });
  const tokens = line?.tokens ?? [];
  const head = tokens[0]?.text === 'async' ? tokens[1] : tokens[0];
  const last = tokens[tokens.length - 1];
  // Only an error where the header ends (`def f()⏎`) is a missing colon; `class = 1` is not.
  const atEnd = last !== undefined && offset >= last.end;
  if (atEnd && head?.kind === 'name' && COMPOUND_KEYWORDS.has(head.text) && !tokens.some((t) => t.text === ':' && t.depth === 0)) {
    return "SyntaxError: expected ':'";
  }
  return 'SyntaxError: invalid syntax';
}

/** The first syntax error of one Python file, or undefined when it parses. */
export async function checkPythonFile(file: string, content: string): Promise<PythonSyntaxError | undefined> {
  const src = content.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const starts = lineStarts(src);
  const scan = new Tokenizer(src, starts).run();
  const parser = await loadParser();
  const { text, decorators } = rewriteForLezer(src, scan);
  const problems: Problem[] = scan.problem ? [scan.problem] : [];
  const main = lezerErrors(parser, text)[0];
  if (main) problems.push({ offset: main.from, message: grammarMessage(scan, main.from, main.print) });
  for (const [from, to] of decorators) {
    const folded = [...src.slice(from, to)];
    fold(
      folded,
      scan.blanks.map(([a, b]): [number, number] => [a - from, b - from]),
      0,
      folded.length,
    );
    const error = lezerErrors(parser, `(${folded.join('')})\n`)[0];
    if (error) problems.push({ offset: Math.min(to, Math.max(from, from + error.from - 1)), message: 'SyntaxError: invalid syntax' });
  }
  // The earliest problem wins; on a tie the tokenizer's (more precise) message.
  const first = problems.reduce<Problem | undefined>((best, p) => (!best || p.offset < best.offset ? p : best), undefined);
  if (!first) return undefined;
  return { file, ...position(starts, Math.min(first.offset, src.length)), message: first.message };
}

/** Checks every `.py` file; one error (the first) per failing file, in the order given. */
export async function checkPythonSyntax(files: { name: string; content: string }[]): Promise<PythonSyntaxError[]> {
  const errors: PythonSyntaxError[] = [];
  for (const f of files) {
    if (!f.name.toLowerCase().endsWith('.py')) continue;
    const error = await checkPythonFile(f.name, f.content);
    if (error) errors.push(error);
  }
  return errors;
}

/** The checker run in this process: local mode, and the syntax-check Lambda function in AWS. */
export const inProcessSyntaxChecker: SyntaxChecker = { check: checkPythonSyntax };
