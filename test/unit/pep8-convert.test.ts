import { pep8Convert, snakeCase } from '../../core/domain/ai/pep8';

/**
 * The PEP 8 conversion on LEAN's own examples: the old PascalCase text of LEAN's Python
 * BasicTemplateAlgorithm and of a moving-average crossover in its style, against the snake_case
 * API LEAN's current templates use (Lean:`Algorithm.Python/BasicTemplateAlgorithm.py`).
 */
const OLD_BASIC_TEMPLATE = `from AlgorithmImports import *

### <summary>
### Basic template algorithm simply initializes the date range and cash. This is a skeleton
### framework you can use for designing an algorithm.
### </summary>
class BasicTemplateAlgorithm(QCAlgorithm):
    '''Basic template algorithm simply initializes the date range and cash'''

    def Initialize(self):
        '''Initialise the data and resolution required, as well as the cash and start-end dates for your algorithm. All algorithms must initialized.'''

        self.SetStartDate(2013,10, 7)  #Set Start Date
        self.SetEndDate(2013,10,11)    #Set End Date
        self.SetCash(100000)           #Set Strategy Cash
        # Find more symbols here: http://quantconnect.com/data
        self.AddEquity("SPY", Resolution.Minute)
        self.Debug("numpy test >>> print numpy.pi: " + str(np.pi))

    def OnData(self, data):
        '''OnData event is the primary entry point for your algorithm. Each new data point will be pumped in here.

        Arguments:
            data: Slice object keyed by symbol containing the stock data
        '''
        if not self.Portfolio.Invested:
            self.SetHoldings("SPY", 1)
`;

const NEW_BASIC_TEMPLATE = `from AlgorithmImports import *

### <summary>
### Basic template algorithm simply initializes the date range and cash. This is a skeleton
### framework you can use for designing an algorithm.
### </summary>
class BasicTemplateAlgorithm(QCAlgorithm):
    '''Basic template algorithm simply initializes the date range and cash'''

    def initialize(self):
        '''Initialise the data and resolution required, as well as the cash and start-end dates for your algorithm. All algorithms must initialized.'''

        self.set_start_date(2013,10, 7)  #Set Start Date
        self.set_end_date(2013,10,11)    #Set End Date
        self.set_cash(100000)           #Set Strategy Cash
        # Find more symbols here: http://quantconnect.com/data
        self.add_equity("SPY", Resolution.MINUTE)
        self.debug("numpy test >>> print numpy.pi: " + str(np.pi))

    def on_data(self, data):
        '''OnData event is the primary entry point for your algorithm. Each new data point will be pumped in here.

        Arguments:
            data: Slice object keyed by symbol containing the stock data
        '''
        if not self.portfolio.invested:
            self.set_holdings("SPY", 1)
`;

test("LEAN's BasicTemplateAlgorithm in the old API converts to the snake_case API", () => {
  expect(pep8Convert(OLD_BASIC_TEMPLATE)).toBe(NEW_BASIC_TEMPLATE);
});

test('indicators, enums, events and properties; strings and comments untouched', () => {
  const old = [
    'class EmaCross(QCAlgorithm):',
    '    def Initialize(self):',
    '        self.spy = self.AddEquity("SPY", Resolution.Daily).Symbol',
    '        self.fast = self.EMA(self.spy, 10, Resolution.Daily)',
    '        self.slow = self.SMA(self.spy, 30)',
    '        self.SetWarmUp(30)',
    '        self.Securities[self.spy].SetDataNormalizationMode(DataNormalizationMode.SplitAdjusted)',
    '        self.Schedule.On(self.DateRules.EveryDay(self.spy), self.TimeRules.AfterMarketOpen(self.spy, 10), self.Rebalance)',
    '    def Rebalance(self):',
    '        if self.IsWarmingUp or not self.fast.IsReady: return',
    '        if self.fast.Current.Value > self.slow.Current.Value:',
    "            self.MarketOrder(self.spy, 10, tag='Fast.Above')  # self.Liquidate() stays in the comment",
    '    def OnOrderEvent(self, orderEvent):',
    '        if orderEvent.Status == OrderStatus.Filled and orderEvent.Direction == OrderDirection.Buy:',
    '            self.Log(f"{orderEvent.FillPrice} {Market.USA}")',
  ].join('\n');
  const converted = [
    'class EmaCross(QCAlgorithm):',
    '    def initialize(self):',
    '        self.spy = self.add_equity("SPY", Resolution.DAILY).symbol',
    '        self.fast = self.ema(self.spy, 10, Resolution.DAILY)',
    '        self.slow = self.sma(self.spy, 30)',
    '        self.set_warm_up(30)',
    '        self.securities[self.spy].set_data_normalization_mode(DataNormalizationMode.SPLIT_ADJUSTED)',
    '        self.schedule.on(self.date_rules.every_day(self.spy), self.time_rules.after_market_open(self.spy, 10), self.rebalance)',
    '    def rebalance(self):',
    '        if self.is_warming_up or not self.fast.is_ready: return',
    '        if self.fast.current.value > self.slow.current.value:',
    "            self.market_order(self.spy, 10, tag='Fast.Above')  # self.Liquidate() stays in the comment",
    '    def on_order_event(self, orderEvent):',
    '        if orderEvent.status == OrderStatus.FILLED and orderEvent.direction == OrderDirection.BUY:',
    '            self.log(f"{orderEvent.FillPrice} {Market.USA}")',
  ].join('\n');
  expect(pep8Convert(old)).toBe(converted);
});

test('already converted code and imports are unchanged; converting twice changes nothing more', () => {
  expect(pep8Convert(NEW_BASIC_TEMPLATE)).toBe(NEW_BASIC_TEMPLATE);
  const imports = 'from QuantConnect.Data.Market import TradeBar\nimport QuantConnect.Indicators as Ind\n';
  expect(pep8Convert(imports)).toBe(imports);
  expect(pep8Convert(pep8Convert(OLD_BASIC_TEMPLATE))).toBe(NEW_BASIC_TEMPLATE);
});

test('snake case keeps acronyms together', () => {
  expect(snakeCase('SetStartDate')).toBe('set_start_date');
  expect(snakeCase('RSIValue')).toBe('rsi_value');
  expect(snakeCase('EMA')).toBe('ema');
  expect(snakeCase('OnEndOfDay')).toBe('on_end_of_day');
});
