import { detectParameters, findParameterReads, snapshotSignature } from '../../core/domain/compile/algorithm-parameters';

/** Parameter reads (get_parameter/GetParameter) by file and line, and the snapshot signature. */
describe('findParameterReads', () => {
  test('Python: both spellings, typed by the default value, with line numbers', () => {
    const source = [
      'class A(QCAlgorithm):',
      '    def initialize(self):',
      '        self.fast = int(self.get_parameter("fast", 10))',
      "        self.ratio = self.get_parameter('ratio', 0.5)",
      '        self.name = self.GetParameter("ticker")',
      '        # self.get_parameter("commented", 1)',
      '        self.on = self.get_parameter("on", True)',
      '        self.x = self.get_parameter(name="kw", default_value=-3)',
      '        self.y = self.get_parameter("expr", some_default())',
    ].join('\n');
    expect(findParameterReads('main.py', source)).toEqual([
      { line: 3, name: 'fast', method: 'get_parameter', valueType: 'integer', defaultValue: '10' },
      { line: 4, name: 'ratio', method: 'get_parameter', valueType: 'number', defaultValue: '0.5' },
      { line: 5, name: 'ticker', method: 'GetParameter', valueType: 'string' },
      { line: 7, name: 'on', method: 'get_parameter', valueType: 'boolean', defaultValue: 'True' },
      { line: 8, name: 'kw', method: 'get_parameter', valueType: 'integer', defaultValue: '-3' },
      { line: 9, name: 'expr', method: 'get_parameter', valueType: 'unknown', defaultValue: 'some_default(' },
    ]);
  });

  test('C#: GetParameter with and without defaults; comments skipped', () => {
    const source = [
      'public class A : QCAlgorithm {',
      '  public override void Initialize() {',
      '    var period = GetParameter("period", 14);',
      '    var ratio = GetParameter("ratio", 0.25m);',
      '    var symbol = GetParameter("symbol");',
      '    // GetParameter("old", 1);',
      '  }',
      '}',
    ].join('\r\n');
    expect(findParameterReads('Main.cs', source).map((r) => [r.line, r.name, r.valueType])).toEqual([
      [3, 'period', 'integer'],
      [4, 'ratio', 'number'],
      [5, 'symbol', 'string'],
    ]);
  });

  test('other files are not scanned', () => {
    expect(findParameterReads('notes.md', 'self.get_parameter("x")')).toEqual([]);
  });
});

describe('detectParameters', () => {
  test('answers the compile/create shape, only for files that read parameters', () => {
    const result = detectParameters([
      { name: 'main.py', content: 'x = 1\ny = self.get_parameter("x", 0.5)\n' },
      { name: 'util.py', content: 'pass\n' },
    ]);
    expect(result).toEqual([{ file: 'main.py', parameters: [{ line: 2, type: 'number parameter "x" read with get_parameter (default 0.5)' }] }]);
  });
});

describe('snapshotSignature', () => {
  test('same sources give the same signature; any change of name, content or order gives another', () => {
    const files = [
      { name: 'main.py', sha256: 'a'.repeat(64) },
      { name: 'util.py', sha256: 'b'.repeat(64) },
    ];
    const base = snapshotSignature(files);
    expect(base.signature).toMatch(/^[0-9a-f]{64}$/);
    expect(base.signatureOrder).toEqual(['main.py', 'util.py']);
    expect(snapshotSignature([...files]).signature).toBe(base.signature);
    expect(snapshotSignature([files[0] as never, { name: 'util.py', sha256: 'c'.repeat(64) }]).signature).not.toBe(base.signature);
    expect(snapshotSignature([files[1] as never, files[0] as never]).signature).not.toBe(base.signature);
    expect(snapshotSignature([files[0] as never, { name: 'other.py', sha256: 'b'.repeat(64) }]).signature).not.toBe(base.signature);
  });
});
