import { checkPythonFile, checkPythonSyntax } from '../../core/domain/compile/python-syntax';

/**
 * The pure-JS Python syntax check: real mistakes are reported with their line and a CPython-like
 * message; valid modern Python (including what Lezer alone rejects) passes.
 */
const QC_ALGORITHM = `# region imports
from AlgorithmImports import *
# endregion

class MyAlgo(QCAlgorithm):
    def initialize(self) -> None:
        self.set_start_date(2020, 1, 1)
        self.set_cash(100_000)
        self._symbol = self.add_equity("SPY", Resolution.DAILY).symbol
        self._period = int(self.get_parameter("period", 20))
        self._sma = self.sma(self._symbol, self._period)

    def on_data(self, data: Slice) -> None:
        if not self._sma.is_ready:
            return
        price = data[self._symbol].close if data.contains_key(self._symbol) else None
        if price and price > self._sma.current.value:
            self.set_holdings(self._symbol, 1)
        elif self.portfolio.invested:
            self.liquidate()
        self.debug(f"{self.time}: price={price:.2f} sma={self._sma.current.value:.2f}")
`;

const valid: [string, string][] = [
  ['a typical QCAlgorithm', QC_ALGORITHM],
  ['decorators', '@property\n@a.b(c=1)\ndef f(self): pass\n'],
  ['PEP 614 decorator expressions', '@(lambda f: f)\ndef g(): pass\n@buttons[0].clicked.connect\ndef h():\n    pass\n'],
  ['f-strings with nested quotes, specs, conversions and =', `x = f"{a['k']} {b!r:>10} {{lit}}" + f'{a:{w}.{p}}' + f"{'a' if b else 'c'}" + f'{x=}'\n`],
  ['Python 3.12 same-quote nested f-strings', 'x = f"{"a" + f"{b}"}"\n'],
  ['triple-quoted f-strings over lines', 'x = f"""\n{a}\n{b!r}\n"""\n'],
  ['walrus', 'if (n := len(a)) > 10:\n    pass\ny = [z := f(a), z**2]\n'],
  ['match statements', 'match x:\n    case [1, 2]:\n        pass\n    case {"a": b}:\n        pass\n    case _:\n        pass\n'],
  ['type hints', 'def f(a: int, b: list[str] | None = None) -> dict[str, int]:\n    c: int = 1\n    return {}\n'],
  ['async', 'async def f():\n    async with a as b:\n        await c\n    async for i in d:\n        yield i\n    return [x async for x in y]\n'],
  ['lambdas', 'f = lambda x, *a, k=1, **kw: x + 1\ng = lambda: 0\n'],
  ['multi-line strings', 'x = """abc\n  def\n"""\ny = 1\n'],
  ['line continuations', "x = 1 + \\\n    2\ny = 'abc\\\ndef'\n"],
  ['brackets across lines with any indentation', 'x = [\n  1,\n    2,\n]\nd = {\n    "a":\n        1,\n}\n'],
  ['parenthesised context managers', 'with (\n    open(a) as f,  # first\n    open(b) as g,\n):\n    pass\nwith (open(a)) as f:\n    pass\n'],
  ['comments at any indentation and blank lines inside blocks', '# c\nif x:\n    # indented\n# dedented\n    y = 1\n\n\n    z = 2\n'],
  ['tabs used consistently', 'if x:\n\ta = 1\n\tb = 2\n'],
  ['CRLF line endings', 'x = 1\r\nif x:\r\n    y = 2\r\n'],
  ['numbers of every form', 'x = 1_000 + 0xff + 1e-3 + .5 + 5. + 3j + 0o7 + 0b1\n'],
  ['string prefixes and escaped quotes', "x = b'abc' + rb'\\d' + Rb\"x\" + u'x' + r'\\\\'\ny = '\\''\n"],
  ['except*, try/finally, one-line blocks', 'try:\n    pass\nexcept* ValueError as e:\n    pass\nfinally:\n    pass\nif x: pass\nelse: y = 1\n'],
  ['positional-only and keyword-only arguments, slices', 'def f(a, b=1, /, c=2, *args, d, e=3, **kw): pass\nx = a[1:2, ::3, ...]\n'],
  ['an empty file and a comment without newline', '# just a comment'],
];

const invalid: [string, string, number, string][] = [
  ['missing colon', 'def f()\n    return 1\n', 1, "SyntaxError: expected ':'"],
  ['missing colon after if', 'x = 1\nif x\n    y = 1\n', 2, "SyntaxError: expected ':'"],
  ['unclosed parenthesis', 'x = (1, 2\ny = 3\n', 1, "SyntaxError: '(' was never closed"],
  ['unmatched closing parenthesis', 'x = 1)\n', 1, "SyntaxError: unmatched ')'"],
  ['mismatched brackets', 'x = [1, 2)\n', 1, "closing parenthesis ')' does not match opening parenthesis '['"],
  ['unexpected indent', 'x = 1\n    y = 2\n', 2, 'IndentationError: unexpected indent'],
  ['bad unindent', 'if x:\n        a = 1\n    b = 2\n', 3, 'IndentationError: unindent does not match any outer indentation level'],
  ['block not indented', 'if x:\na = 1\n', 2, "IndentationError: expected an indented block after 'if' statement on line 1"],
  ['empty function body', 'def f():\n\nx = 1\n', 3, 'expected an indented block after function definition on line 1'],
  ['header at the end of the file', 'class A:\n', 1, 'expected an indented block after class definition on line 1'],
  ['unterminated string', 'x = 1\ny = "abc\nz = 1\n', 2, 'SyntaxError: unterminated string literal (detected at line 2)'],
  ['unterminated triple-quoted string', 'x = """abc\ny = 1\n', 1, 'SyntaxError: unterminated triple-quoted string literal (detected at line 2)'],
  ['unterminated f-string', 'x = f"abc {a}\ny = 1\n', 1, 'unterminated string literal'],
  ['def f(:', 'def f(:\n    pass\n', 1, 'SyntaxError'],
  ['two expressions side by side', 'x = 1\ny = 1 2\n', 2, 'SyntaxError: invalid syntax'],
  ['missing comma in a list', 'x = [1 2]\n', 1, 'SyntaxError: invalid syntax'],
  ['a keyword as a name', 'class = 1\n', 1, 'SyntaxError: invalid syntax'],
  ['Python 2 print statement', 'print "hi"\n', 1, "Missing parentheses in call to 'print'"],
  ['mixed tabs and spaces', 'if x:\n        a = 1\n\tb = 2\n', 3, 'TabError: inconsistent use of tabs and spaces in indentation'],
  ['a bad decorator expression', '@foo bar\ndef g(): pass\n', 1, 'SyntaxError: invalid syntax'],
  ['an error inside a parenthesised with', 'with (open(a) as f, open(b) g):\n    pass\n', 1, 'SyntaxError: invalid syntax'],
  ['an error deep in a class', 'class A:\n    def f(self):\n        x = [\n            1,\n        ]\n        return x +\n', 6, 'SyntaxError: invalid syntax'],
  ['text after a continuation backslash', 'x = 1 \\ 2\n', 1, 'unexpected character after line continuation character'],
];

describe('checkPythonFile', () => {
  test.each(valid)('accepts %s', async (_name, source) => {
    await expect(checkPythonFile('main.py', source)).resolves.toBeUndefined();
  });

  test.each(invalid)('reports %s', async (_name, source, line, message) => {
    const error = await checkPythonFile('main.py', source);
    expect(error).toEqual(expect.objectContaining({ file: 'main.py', line }));
    expect(error?.message).toContain(message);
    expect(error?.column).toBeGreaterThanOrEqual(1);
  });

  test('columns are 1-based and point at the problem', async () => {
    expect(await checkPythonFile('a.py', 'x = 1\n    y = 2\n')).toEqual({ file: 'a.py', line: 2, column: 5, message: 'IndentationError: unexpected indent' });
    expect(await checkPythonFile('a.py', 'x = (1,\n')).toEqual({ file: 'a.py', line: 1, column: 5, message: "SyntaxError: '(' was never closed" });
  });

  test('reports the first error of a file', async () => {
    const error = await checkPythonFile('a.py', 'ok = 1\nbad = 1 2\nworse = (\n');
    expect(error?.line).toBe(2);
  });
});

describe('checkPythonSyntax', () => {
  test('checks only .py files and reports one error per failing file, in order', async () => {
    const errors = await checkPythonSyntax([
      { name: 'main.py', content: QC_ALGORITHM },
      { name: 'notes.txt', content: 'def broken(' },
      { name: 'Library/Lib/util.py', content: 'def f()\n    pass\n' },
      { name: 'research.ipynb', content: '{' },
      { name: 'helpers.py', content: 'x = 1\n  y = 2\nz = (\n' },
    ]);
    expect(errors.map((e) => [e.file, e.line])).toEqual([
      ['Library/Lib/util.py', 1],
      ['helpers.py', 2],
    ]);
  });
});
