import fc from 'fast-check';
import { languageOf, type Token, tokenize } from '../../console/src/highlight';

/** The console's highlighter (console/src/highlight.ts): tokens of Python and C#, whose texts joined are the input exactly. */
const kinds = (tokens: Token[], kind: Token['kind']) => tokens.filter((t) => t.kind === kind).map((t) => t.text);

test('the language comes from the file name', () => {
  expect([languageOf('main.py'), languageOf('Main.cs'), languageOf('research.ipynb'), languageOf('UTILS.PY')]).toEqual(['python', 'csharp', 'plain', 'python']);
});

test('Python: keywords, strings with prefixes and triple quotes, comments, numbers and decorators', () => {
  const source = 'import numpy as np\n@property\ndef f(x):  # why\n    return rb"a\\"b" + f\'{x}\' + """doc\n# not a comment\n""" + 0x1F + 1.5e3\n';
  const tokens = tokenize(source, 'python');
  expect(kinds(tokens, 'keyword')).toEqual(['import', 'as', 'def', 'return']);
  expect(kinds(tokens, 'string')).toEqual(['rb"a\\"b"', "f'{x}'", '"""doc\n# not a comment\n"""']);
  expect(kinds(tokens, 'comment')).toEqual(['# why']);
  expect(kinds(tokens, 'number')).toEqual(['0x1F', '1.5e3']);
  expect(kinds(tokens, 'decorator')).toEqual(['@property']);
});

test('C#: keywords, verbatim and interpolated strings, line and block comments, suffixed numbers', () => {
  const source =
    'using System;\n/* block\n "not a string" */\npublic class A { // line\n  var s = @"C:\\dir ""q"""; var t = $"{x}"; char c = \'\\n\'; decimal m = 1.5m; }\n';
  const tokens = tokenize(source, 'csharp');
  expect(kinds(tokens, 'keyword')).toEqual(['using', 'public', 'class', 'var', 'var', 'char', 'decimal']);
  expect(kinds(tokens, 'comment')).toEqual(['/* block\n "not a string" */', '// line']);
  expect(kinds(tokens, 'string')).toEqual(['@"C:\\dir ""q"""', '$"{x}"', "'\\n'"]);
  expect(kinds(tokens, 'number')).toEqual(['1.5m']);
});

test('an unterminated string or comment runs to the end of its line or the file, and nothing is lost', () => {
  expect(kinds(tokenize('x = "open\ny = 1', 'python'), 'string')).toEqual(['"open']);
  expect(kinds(tokenize('/* open\nint x;', 'csharp'), 'comment')).toEqual(['/* open\nint x;']);
  expect(kinds(tokenize('s = """open\nmore', 'python'), 'string')).toEqual(['"""open\nmore']);
});

test('whatever the input, the tokens joined are the input', () => {
  fc.assert(
    fc.property(
      fc.string({ unit: fc.constantFrom(...'ab1 _.#/*"\'\\@$\n\tx9eE+-'.split('')), maxLength: 80 }),
      fc.constantFrom('python', 'csharp', 'plain'),
      (s, lang) => {
        expect(
          tokenize(s, lang as 'python')
            .map((t) => t.text)
            .join(''),
        ).toBe(s);
      },
    ),
    { numRuns: 500 },
  );
});
