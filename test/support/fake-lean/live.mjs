import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { algorithmStamp } from './engine-log.mjs';

/**
 * The fake LEAN's live mode (lean-runtime §4.3, §6, §8; Lean:`Engine/Results/LiveTradingResultHandler.cs`,
 * `Common/Commands/FileCommandHandler.cs`, `Engine/AlgorithmManager.cs`). Every update it:
 * - moves a simulated SPY price, fills a market order every other update and emits an insight every
 *   third, as an algorithm trading on FakeDataQueue would;
 * - rewrites `<id>-<yyyy-MM-dd>_minute.json` (today's charts and only the orders touched today, all
 *   holdings, cash, runtime statistics, state), `<id>-<yyyy-MM-dd>-order-events.json` (that day's
 *   events), `<id>/alpha-results.json`, and appends algorithm lines to `<id>-log.txt`; the status file
 *   `<id>.json` (all orders, invested holdings) at the first update and at exit;
 * - reads every `command*.json` in its working directory in name order, deletes it, runs it and,
 *   when it has an `Id`, answers `result-command-<Id>.json` `{CommandName, Success, Type, Channel}`;
 *   `AlgorithmStatusCommand` Stopped or Liquidated (liquidating first) ends the run with final files
 *   and status Completed (LEAN reports Completed after a stop), exit 0.
 * SIGINT does the same as Stopped; SIGTERM exits 143 without final files (fake-lean.mjs). The
 * `crash` scenario is the crash switch: the first run in a results folder exits 134 without final
 * files after `fake-lean-seconds`; a restart in the same folder runs normally. `runtime-error`
 * ends with state RuntimeError and exit 1; `init-error` fails before Initialize completes.
 * The simulated clock advances `fake-lean-live-hours-per-tick` hours per update (real time when 0).
 */
const SPY = 'SPY R735QTJ8XC9X';
const day = (seconds) => new Date(seconds * 1000).toISOString().slice(0, 10);

export async function runLive(settings, log, control) {
  const id = settings.algorithmId;
  const out = settings.resultsDir;
  log.trace(`Engine.Run(): Resource limits '0' CPUs. 2147483647 MB RAM.`);
  log.trace(`BrokerageSetupHandler.Setup(): brokerage ${settings.brokerage ?? '?'}, data queue ${JSON.stringify(settings.dataQueueHandler ?? [])}`);
  if (settings.scenario === 'init-error') {
    log.error('During the algorithm initialization, the following exception has occurred: fake init error');
    writeFileSync(
      join(out, `${id}.json`),
      JSON.stringify({
        state: {
          Status: 'RuntimeError',
          RuntimeError: 'During the algorithm initialization, the following exception has occurred: fake init error',
          StackTrace: 'at Initialize',
        },
      }),
    );
    return 1;
  }
  const crashMarker = join(out, 'fake-lean-crashed');
  const crashThisRun = settings.scenario === 'crash' && !existsSync(crashMarker);
  if (crashThisRun) writeFileSync(crashMarker, 'crashed once\n');

  // Starting portfolio: live-cash-balance and live-holdings (lean-runtime §2.4), else $100,000.
  let cash = settings.liveCash.length ? Number(settings.liveCash.find((c) => c.currency === 'USD')?.amount ?? settings.liveCash[0].amount) : 100_000;
  const start = settings.liveHoldings.find((h) => (h.Symbol?.ID ?? h.symbol?.ID) === SPY);
  let quantity = start ? Number(start.Quantity) : 0;
  let averagePrice = start ? Number(start.AveragePrice) : 0;
  mkdirSync(join(out, id), { recursive: true });
  const logFile = join(out, `${id}-log.txt`);
  appendFileSync(logFile, `${algorithmStamp(Math.floor(Date.now() / 1000))} Starting cash ${cash.toFixed(2)}, SPY holdings ${quantity}\n`);
  log.trace(`Starting cash ${cash}, SPY holdings ${quantity}`);
  log.trace(`Debug: Launching analysis for ${id} with LEAN Engine v2.5.0.0`);

  let price = 400;
  let clock = Math.floor(Date.now() / 1000);
  let tick = 0;
  // Order ids keep growing across restarts in the same folder (each run numbers from its own block).
  const runs = readdirSync(out).filter((n) => n.startsWith('fake-lean-run-')).length;
  writeFileSync(join(out, `fake-lean-run-${runs}`), '');
  let nextOrderId = 1 + runs * 10_000;
  const orders = new Map();
  const events = new Map();
  const insights = [];
  const equity = [];
  let status = 'Running';
  const started = Date.now();

  const algo = (text) => appendFileSync(logFile, `${algorithmStamp(clock)} ${text}\n`);
  const fill = (qty) => {
    const orderId = nextOrderId++;
    const time = new Date(clock * 1000).toISOString();
    const order = {
      id: orderId,
      symbol: { value: 'SPY', id: SPY, permtick: 'SPY' },
      price,
      time,
      createdTime: time,
      lastFillTime: time,
      quantity: qty,
      type: 0,
      status: 3,
      direction: qty > 0 ? 0 : 1,
      value: qty * price,
      tag: '',
      priceCurrency: 'USD',
    };
    orders.set(orderId, order);
    const list = events.get(day(clock)) ?? [];
    const base = { algorithmId: id, symbol: SPY, symbolValue: 'SPY', orderId, quantity: qty, direction: qty > 0 ? 'buy' : 'sell', time: clock };
    list.push({ ...base, id: `${id}-${orderId}-1`, orderEventId: 1, status: 'submitted', fillPrice: 0, fillQuantity: 0 });
    list.push({ ...base, id: `${id}-${orderId}-2`, orderEventId: 2, status: 'filled', fillPrice: price, fillQuantity: qty });
    events.set(day(clock), list);
    if (quantity + qty !== 0 && Math.sign(qty) === Math.sign(quantity || qty)) averagePrice = (averagePrice * quantity + price * qty) / (quantity + qty);
    quantity += qty;
    if (quantity === 0) averagePrice = 0;
    cash -= qty * price;
    algo(`Order ${orderId} filled: ${qty} SPY at ${price.toFixed(2)}`);
  };

  const portfolio = (allSecurities) => {
    const holdings = {};
    if (quantity !== 0 || allSecurities) {
      const v = quantity * price;
      const u = quantity * (price - averagePrice);
      holdings[SPY] = quantity === 0 ? { p: price } : { a: averagePrice, q: quantity, p: price, v, u, up: averagePrice ? (price / averagePrice - 1) * 100 : 0 };
    }
    return {
      holdings,
      cash: { USD: { symbol: 'USD', amount: cash, conversionRate: 1, currencySymbol: '$', valueInAccountCurrency: cash } },
    };
  };
  const equityNow = () => cash + quantity * price;
  const runtimeStatistics = () => ({ Equity: `$${equityNow().toFixed(2)}`, Holdings: `$${(quantity * price).toFixed(2)}`, Unrealized: '$0.00', Fees: '$0.00' });
  const chart = (from) => ({
    'Strategy Equity': {
      name: 'Strategy Equity',
      chartType: 0,
      series: {
        Equity: { name: 'Equity', unit: '$', index: 0, seriesType: 2, color: '', scatterMarkerSymbol: 'none', values: equity.filter((p) => p[0] >= from) },
      },
    },
  });
  const state = (extra = {}) => ({ Status: status, RuntimeError: '', StackTrace: '', ...extra });
  const writeAtomically = (name, value) => {
    const target = join(out, name);
    writeFileSync(`${target}.tmp`, JSON.stringify(value, null, 2));
    renameSync(`${target}.tmp`, target);
  };
  const writeStatus = (extraState = {}) =>
    writeAtomically(`${id}.json`, {
      ...portfolio(false),
      accountCurrency: 'USD',
      accountCurrencySymbol: '$',
      charts: chart(0),
      orders: Object.fromEntries(orders),
      profitLoss: {},
      statistics: {},
      runtimeStatistics: runtimeStatistics(),
      state: state(extraState),
    });
  const writeMinute = (final) => {
    const today = day(clock);
    const midnight = Date.parse(`${today}T00:00:00Z`) / 1000;
    writeAtomically(`${id}-${today}_minute.json`, {
      ...(final ? { holdings: {}, cash: portfolio(true).cash } : portfolio(true)),
      accountCurrency: 'USD',
      accountCurrencySymbol: '$',
      charts: chart(midnight),
      // Only orders touched today (UTC): the runner must merge older days itself.
      orders: Object.fromEntries([...orders].filter(([, o]) => day(Date.parse(o.lastFillTime) / 1000) === today)),
      profitLoss: {},
      statistics: {},
      runtimeStatistics: runtimeStatistics(),
      state: state(),
      serverStatistics: { 'CPU Usage': '1%' },
    });
    for (const [d, list] of events) writeAtomically(`${id}-${d}-order-events.json`, list);
    writeAtomically(join(id, 'alpha-results.json'), insights);
  };

  const runCommands = () => {
    const files = readdirSync(settings.cwd)
      .filter((n) => /^command.*\.json$/.test(n))
      .sort();
    for (const file of files) {
      const path = join(settings.cwd, file);
      let parsed;
      try {
        parsed = JSON.parse(readFileSync(path, 'utf8'));
      } catch {
        continue;
      }
      rmSync(path, { force: true });
      for (const command of Array.isArray(parsed) ? parsed : [parsed]) {
        const type = String(command.$type ?? '');
        const name = type.includes('AlgorithmStatusCommand') ? 'AlgorithmStatusCommand' : type ? type.split(',')[0].split('.').pop() : 'CallbackCommand';
        log.trace(`FileCommandHandler: running ${name}`);
        algo(`Received command ${name}: ${JSON.stringify(command)}`);
        if (name === 'AlgorithmStatusCommand' && (command.Status === 'Stopped' || command.Status === 'Liquidated')) {
          if (command.Status === 'Liquidated' && quantity !== 0) fill(-quantity);
          status = 'Stopped';
        }
        if (command.Id !== undefined)
          writeFileSync(
            join(settings.cwd, `result-command-${command.Id}.json`),
            JSON.stringify({ CommandName: name, Success: true, Type: 'CommandResult', Channel: '' }),
          );
      }
    }
  };

  for (;;) {
    tick++;
    clock = settings.liveHoursPerTick > 0 ? clock + Math.round(settings.liveHoursPerTick * 3600) : Math.floor(Date.now() / 1000);
    price = Math.max(1, price * (1 + Math.sin(tick) * 0.004));
    if (tick % 2 === 0) fill(tick % 4 === 0 ? -5 : 10);
    if (tick % 3 === 0) {
      insights.push({
        id: `${id}-insight-${tick}`,
        groupId: null,
        sourceModel: 'FakeAlpha',
        generatedTime: clock,
        closeTime: clock + 3600,
        symbol: SPY,
        ticker: 'SPY',
        type: 'price',
        direction: 'up',
        period: 3600,
        magnitude: 0.01,
        confidence: 0.5,
      });
    }
    equity.push([clock, Number(equityNow().toFixed(2))]);
    algo(`Debug: update ${tick} SPY ${price.toFixed(2)} equity ${equityNow().toFixed(2)}`);
    runCommands();
    writeMinute(false);
    if (tick === 1) writeStatus();
    if (status === 'Stopped') break;
    if (crashThisRun && Date.now() - started >= settings.seconds * 1000) {
      // An unhandled exception: the process aborts without final files (lean-runtime §5).
      process.stderr.write('Unhandled exception. System.AccessViolationException: fake crash\n');
      return 134;
    }
    if (settings.scenario === 'runtime-error' && Date.now() - started >= settings.seconds * 1000) {
      status = 'RuntimeError';
      log.error('Extensions.SetRuntimeError(): RuntimeError at fake time. Context: OnData');
      algo('Runtime Error: fake runtime error');
      writeStatus({ RuntimeError: 'fake runtime error', StackTrace: 'at OnData in main.py:line 12' });
      return 1;
    }
    if (await control.wait(settings.liveIntervalMs)) break; // SIGINT: a graceful stop, like Ctrl-C
  }
  // After a stop LEAN marks the run Completed (Lean:`Engine/AlgorithmManager.cs`) and writes its final files.
  status = 'Completed';
  log.trace('Engine.Run(): Exiting Algorithm Manager');
  writeMinute(true);
  writeStatus();
  return 0;
}
