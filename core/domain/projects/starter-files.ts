import type { Language } from './types';

/**
 * The files a new project starts with, as on QuantConnect (contract §8 item 12): Python `main.py`
 * and `research.ipynb`, C# `Main.cs` and `Research.ipynb`. The algorithm trades SPY over the week
 * of minute data LEAN ships in its repository (2013-10-07 to 2013-10-11), so it compiles and
 * backtests on a fresh server without buying data.
 */
const MAIN_PY = `# region imports
from AlgorithmImports import *
# endregion


class StarterAlgorithm(QCAlgorithm):
    """A starting point: holds SPY for one week. Replace it with your strategy."""

    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 11)
        self.set_cash(100000)
        self._spy = self.add_equity("SPY", Resolution.MINUTE).symbol

    def on_data(self, data: Slice):
        if not self.portfolio.invested:
            self.set_holdings(self._spy, 1)
`;

const MAIN_CS = `#region imports
using QuantConnect.Data;
#endregion

namespace QuantConnect.Algorithm.CSharp
{
    /// <summary>A starting point: holds SPY for one week. Replace it with your strategy.</summary>
    public class StarterAlgorithm : QCAlgorithm
    {
        private Symbol _spy;

        public override void Initialize()
        {
            SetStartDate(2013, 10, 7);
            SetEndDate(2013, 10, 11);
            SetCash(100000);
            _spy = AddEquity("SPY", Resolution.Minute).Symbol;
        }

        public override void OnData(Slice data)
        {
            if (!Portfolio.Invested)
            {
                SetHoldings(_spy, 1);
            }
        }
    }
}
`;

/** A one-cell notebook (nbformat 4) that opens LEAN's research environment. */
function notebook(language: Language): string {
  const python = language === 'Py';
  const source = python
    ? ['qb = QuantBook()\n', 'spy = qb.add_equity("SPY").symbol\n', 'history = qb.history(spy, 360, Resolution.DAILY)\n', 'history']
    : [
        '#load "../Initialize.csx"\n',
        'using QuantConnect.Research;\n',
        'var qb = new QuantBook();\n',
        'var spy = qb.AddEquity("SPY").Symbol;\n',
        'qb.History(spy, 360, Resolution.Daily)',
      ];
  const metadata = python
    ? { kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' }, language_info: { name: 'python' } }
    : { kernelspec: { display_name: '.NET (C#)', language: 'C#', name: '.net-csharp' }, language_info: { name: 'C#' } };
  const cell = { cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source };
  return `${JSON.stringify({ cells: [cell], metadata, nbformat: 4, nbformat_minor: 5 }, null, 1)}\n`;
}

export function starterFiles(language: Language): { name: string; content: string }[] {
  return language === 'Py'
    ? [
        { name: 'main.py', content: MAIN_PY },
        { name: 'research.ipynb', content: notebook('Py') },
      ]
    : [
        { name: 'Main.cs', content: MAIN_CS },
        { name: 'Research.ipynb', content: notebook('C#') },
      ];
}
