/**
 * `ai/tools/pep8-convert` without a model: rewrites LEAN's old PascalCase Python API to the
 * snake_case API LEAN has had since 2024 (Lean:`Algorithm.Python` templates, e.g.
 * `self.SetStartDate` → `self.set_start_date`, `def OnData` → `def on_data`,
 * `Resolution.Minute` → `Resolution.MINUTE`). Deterministic and text-only: strings, comments and
 * import lines are left as they are, and so are class names (`QCAlgorithm`, `TradeBar`).
 *
 * Rules, applied to code outside strings and comments:
 * 1. `def Name(` with a PascalCase name becomes `def name(` (event handlers and the user's methods,
 *    whose call sites rule 2 renames the same way).
 * 2. An attribute after a dot, `x.Name`, becomes `x.name` when PascalCase; after `self.` an
 *    all-capitals name (an indicator helper, `self.EMA`) becomes lower case too.
 * 3. A member of one of LEAN's enums, `Resolution.Minute`, becomes UPPER_SNAKE_CASE.
 * Known limits: camelCase keyword arguments (`liquidateExistingHoldings=`) and names reached
 * without a dot are not renamed.
 */

/** LEAN enums (and enum-like constant classes) whose members are UPPER_SNAKE_CASE in the new API. */
const ENUMS = new Set([
  'Resolution',
  'SecurityType',
  'OrderStatus',
  'OrderDirection',
  'OrderType',
  'DataNormalizationMode',
  'DataMappingMode',
  'OptionRight',
  'OptionStyle',
  'InsightDirection',
  'InsightType',
  'BrokerageName',
  'AccountType',
  'TickType',
  'Field',
  'MovingAverageType',
  'SettlementType',
  'TimeInForce',
  'Language',
  'ScheduledEventName',
  'DayOfWeek',
  'ChartType',
  'SeriesType',
  'ScatterMarkerSymbol',
  'PositionSide',
  'FuturesListings',
]);

const PASCAL = /^[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*$/;
const ALL_CAPS = /^[A-Z][A-Z0-9]*$/;

/** `SetStartDate` → `set_start_date`, `RSIValue` → `rsi_value`, `EMA` → `ema`. */
export function snakeCase(name: string): string {
  return name
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

function convertCode(code: string): string {
  let out = code.replace(/\bdef(\s+)([A-Za-z_]\w*)(\s*\()/g, (m, space: string, name: string, paren: string) =>
    PASCAL.test(name) ? `def${space}${snakeCase(name)}${paren}` : m,
  );
  out = out.replace(/(\b[A-Za-z_]\w*)?(\s*\.\s*)([A-Za-z_]\w*)/g, (m, owner: string | undefined, dot: string, name: string) => {
    const before = owner ?? '';
    if (owner && ENUMS.has(owner) && (PASCAL.test(name) || ALL_CAPS.test(name))) return `${before}${dot}${snakeCase(name).toUpperCase()}`;
    if (PASCAL.test(name) || (owner === 'self' && ALL_CAPS.test(name) && name.length > 1)) return `${before}${dot}${snakeCase(name)}`;
    return m;
  });
  return out;
}

/** Splits a line's code from its strings and comment; only code pieces are converted. */
function convertLine(line: string, state: { quote: string | null }): string {
  if (state.quote === null && /^\s*(from|import)\s/.test(line)) return line;
  let out = '';
  let code = '';
  let i = 0;
  const flush = () => {
    out += convertCode(code);
    code = '';
  };
  while (i < line.length) {
    if (state.quote) {
      const end = line.indexOf(state.quote, i);
      if (end < 0) {
        out += line.slice(i);
        return out;
      }
      out += line.slice(i, end + state.quote.length);
      i = end + state.quote.length;
      state.quote = null;
      continue;
    }
    const ch = line[i] as string;
    if (ch === '#') {
      flush();
      return out + line.slice(i);
    }
    if (ch === '"' || ch === "'") {
      flush();
      const triple = line.startsWith(ch.repeat(3), i) ? ch.repeat(3) : ch;
      // A string prefix (f, r, b) already went out with the code before it.
      out += triple;
      i += triple.length;
      state.quote = triple;
      // An unterminated single-quote string ends with its line.
      if (triple.length === 1) {
        let j = i;
        while (j < line.length && line[j] !== ch) j += line[j] === '\\' ? 2 : 1;
        out += line.slice(i, j + 1);
        i = j + 1;
        state.quote = null;
      }
      continue;
    }
    code += ch;
    i++;
  }
  flush();
  return out;
}

/** Converts one Python file; C# and other files are the caller's to skip. */
export function pep8Convert(content: string): string {
  const state = { quote: null as string | null };
  return content
    .split('\n')
    .map((line) => convertLine(line, state))
    .join('\n');
}
