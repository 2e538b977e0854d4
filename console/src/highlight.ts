/**
 * A small syntax highlighter for the project files page: keywords, strings, comments, numbers and
 * (Python) decorators of Python and C#, as tokens the page renders as spans with classes (the
 * Content-Security-Policy allows no inline styles). The tokens' texts, joined, are the input
 * exactly, so the page shows the file as `files/read` answers it.
 */
export type TokenKind = 'keyword' | 'string' | 'comment' | 'number' | 'decorator' | 'text';
export interface Token {
  kind: TokenKind;
  text: string;
}
export type Language = 'python' | 'csharp' | 'plain';

const PYTHON_KEYWORDS = new Set(
  (
    'False None True and as assert async await break class continue def del elif else except finally for from global if import in is ' +
    'lambda match case nonlocal not or pass raise return self try while with yield'
  ).split(' '),
);

const CSHARP_KEYWORDS = new Set(
  (
    'abstract as base bool break byte case catch char checked class const continue decimal default delegate do double else enum event ' +
    'explicit extern false finally fixed float for foreach goto if implicit in int interface internal is lock long namespace new null ' +
    'object operator out override params private protected public readonly ref return sbyte sealed short sizeof stackalloc static ' +
    'string struct switch this throw true try typeof uint ulong unchecked unsafe ushort using var virtual void volatile while async ' +
    'await get set init record where yield nameof'
  ).split(' '),
);

/** One regular expression per language; each alternative is a named group naming the token kind. */
const PYTHON = new RegExp(
  [
    String.raw`(?<comment>#[^\n]*)`,
    // Triple-quoted first (they span lines), then single-line strings; prefixes r, b, f, u and pairs.
    String.raw`(?<string>(?:[rRbBfFuU]{1,2})?(?:"""[\s\S]*?(?:"""|$(?![\s\S]))|'''[\s\S]*?(?:'''|$(?![\s\S]))|"(?:\\.|[^"\\\n])*"?|'(?:\\.|[^'\\\n])*'?))`,
    String.raw`(?<decorator>^[ \t]*@[\w.]+)`,
    String.raw`(?<number>\b(?:0[xXoObB][\da-fA-F_]+|\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?j?)\b)`,
    String.raw`(?<word>[A-Za-z_]\w*)`,
  ].join('|'),
  'gm',
);

const CSHARP = new RegExp(
  [
    String.raw`(?<comment>\/\/[^\n]*|\/\*[\s\S]*?(?:\*\/|$(?![\s\S])))`,
    // Verbatim (@"" with "" as a quote) and interpolated strings, then plain strings and chars.
    String.raw`(?<string>\$?@"(?:""|[^"])*"?|@\$"(?:""|[^"])*"?|\$?"(?:\\.|[^"\\\n])*"?|'(?:\\.|[^'\\\n])*'?)`,
    String.raw`(?<number>\b(?:0[xX][\da-fA-F_]+|\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?[fFdDmMuUlL]*)\b)`,
    String.raw`(?<word>@?[A-Za-z_]\w*)`,
  ].join('|'),
  'gm',
);

export function languageOf(fileName: string): Language {
  if (/\.py$/i.test(fileName)) return 'python';
  if (/\.cs$/i.test(fileName)) return 'csharp';
  return 'plain';
}

export function tokenize(source: string, language: Language): Token[] {
  if (language === 'plain') return [{ kind: 'text', text: source }];
  const pattern = language === 'python' ? PYTHON : CSHARP;
  const keywords = language === 'python' ? PYTHON_KEYWORDS : CSHARP_KEYWORDS;
  const tokens: Token[] = [];
  const push = (kind: TokenKind, text: string) => {
    if (!text) return;
    const last = tokens.at(-1);
    if (last && last.kind === kind) last.text += text;
    else tokens.push({ kind, text });
  };
  let at = 0;
  pattern.lastIndex = 0;
  for (let match = pattern.exec(source); match; match = pattern.exec(source)) {
    if (match[0] === '') {
      pattern.lastIndex++;
      continue;
    }
    push('text', source.slice(at, match.index));
    const groups = match.groups ?? {};
    if (groups.word !== undefined) push(keywords.has(groups.word) ? 'keyword' : 'text', groups.word);
    else if (groups.comment !== undefined) push('comment', match[0]);
    else if (groups.string !== undefined) push('string', match[0]);
    else if (groups.number !== undefined) push('number', match[0]);
    else push('decorator', match[0]);
    at = match.index + match[0].length;
  }
  push('text', source.slice(at));
  return tokens;
}
