import { BROKERAGE_MODULES, brokerageModule } from '../../core/domain/live/brokerages';
import { chooseFeeds, FAKE_DATA_QUEUE, type LiveFeeds, liveFeeds } from '../../core/domain/live/live-feeds';
import { InvalidError } from '../../core/shared/errors';

/**
 * lean-cli's brokerages (issue 12 item 3): each id and its settings, as `lean cloud live deploy`
 * sends them in `live/create`, map to LEAN's `live-mode-brokerage`, `data-queue-handler` and the
 * brokerage's own config keys, once the operator has put its plugin in the runner image.
 */

/** lean-cli's `--brokerage` name, module id, settings (LEAN config keys, from lean-cli's tests), LEAN's type. */
const cases: [string, string, Record<string, string>, string][] = [
  [
    'Interactive Brokers',
    'InteractiveBrokersBrokerage',
    { 'ib-user-name': 'u', 'ib-account': 'DU1', 'ib-password': 'p', 'ib-trading-mode': 'paper' },
    'InteractiveBrokersBrokerage',
  ],
  ['Tradier', 'TradierBrokerage', { 'tradier-account-id': '1', 'tradier-access-token': 't', 'tradier-environment': 'paper' }, 'TradierBrokerage'],
  ['OANDA', 'OandaBrokerage', { 'oanda-account-id': '1', 'oanda-access-token': 't', 'oanda-environment': 'Practice' }, 'OandaBrokerage'],
  ['Bitfinex', 'BitfinexBrokerage', { 'bitfinex-api-key': 'k', 'bitfinex-api-secret': 's' }, 'BitfinexBrokerage'],
  ['Coinbase Advanced Trade', 'CoinbaseBrokerage', { 'coinbase-api-name': 'n', 'coinbase-api-private-key': 'k' }, 'CoinbaseBrokerage'],
  ['Binance', 'BinanceBrokerage', { 'binance-exchange-name': 'binance', 'binance-api-key': 'k', 'binance-api-secret': 's' }, 'BinanceBrokerage'],
  ['Binance', 'BinanceBrokerage', { 'binance-exchange-name': 'BinanceUS', 'binanceus-api-key': 'k' }, 'BinanceUSBrokerage'],
  ['Binance', 'BinanceBrokerage', { 'binance-exchange-name': 'Binance-USDM-Futures', 'binance-api-key': 'k' }, 'BinanceFuturesBrokerage'],
  ['Binance', 'BinanceBrokerage', { 'binance-exchange-name': 'Binance-COIN-Futures', 'binance-api-key': 'k' }, 'BinanceCoinFuturesBrokerage'],
  [
    'Zerodha',
    'ZerodhaBrokerage',
    { 'zerodha-api-key': 'k', 'zerodha-access-token': 't', 'zerodha-product-type': 'mis', 'zerodha-trading-segment': 'equity' },
    'ZerodhaBrokerage',
  ],
  [
    'Samco',
    'SamcoBrokerage',
    { 'samco-client-id': '1', 'samco-client-password': 'p', 'samco-year-of-birth': '2000', 'samco-product-type': 'mis', 'samco-trading-segment': 'equity' },
    'SamcoBrokerage',
  ],
  ['Kraken', 'KrakenBrokerage', { 'kraken-api-key': 'k', 'kraken-api-secret': 's', 'kraken-verification-tier': 'starter' }, 'KrakenBrokerage'],
  ['Bybit', 'BybitBrokerage', { 'bybit-api-key': 'k', 'bybit-api-secret': 's', 'bybit-vip-level': 'VIP0' }, 'BybitBrokerage'],
  [
    'Trading Technologies',
    'TradingTechnologiesBrokerage',
    Object.fromEntries(
      [
        'tt-user-name',
        'tt-session-password',
        'tt-account-name',
        'tt-rest-app-key',
        'tt-rest-app-secret',
        'tt-rest-environment',
        'tt-market-data-sender-comp-id',
        'tt-market-data-target-comp-id',
        'tt-market-data-host',
        'tt-market-data-port',
        'tt-order-routing-sender-comp-id',
        'tt-order-routing-target-comp-id',
        'tt-order-routing-host',
        'tt-order-routing-port',
      ].map((k) => [k, 'x']),
    ),
    'TradingTechnologiesBrokerage',
  ],
];

/** What the operator names in LCS_LIVE_FEEDS: every module, by lean-cli id, as a list. */
const everything = (): LiveFeeds =>
  liveFeeds({ LCS_LIVE_FEEDS: JSON.stringify({ defaultDataQueueHandler: FAKE_DATA_QUEUE, brokerages: BROKERAGE_MODULES.map((m) => m.id) }) });

describe.each(cases)('%s (%s, %j)', (name, id, settings, leanType) => {
  test('offered: live-mode-brokerage is LEAN’s type, its settings go to LEAN’s config (the secret) under their own keys', () => {
    const choice = chooseFeeds({ id, ...settings, cash: [{ currency: 'USD', amount: 1 }] }, {}, everything());
    expect(choice.leanBrokerage).toBe(leanType);
    expect(choice.dataQueueHandlers).toEqual([FAKE_DATA_QUEUE]);
    expect(choice.secretValues).toEqual(settings);
    // lean-cli's display name is accepted as the id too.
    expect(brokerageModule(name)?.id).toBe(id);
  });

  test('as its own data feed too (lean-cli: --data-provider-live with the brokerage)', () => {
    const choice = chooseFeeds({ id, ...settings }, { [id]: { id, ...settings } }, everything());
    expect(choice.dataQueueHandlers).toEqual([leanType]);
  });

  test('a required setting missing is refused naming the key, never a value', () => {
    const module = brokerageModule(id)!;
    const [first] = module.required;
    const { [first!]: _dropped, ...rest } = settings;
    expect(() => chooseFeeds({ id, ...rest }, {}, everything())).toThrow(new RegExp(`^brokerage: ${name} needs ${first}\\b.*--${first}`));
  });

  test('not in the runner image: refused, saying the operator must add its plugin, naming what is offered', () => {
    expect(() => chooseFeeds({ id, ...settings }, {}, liveFeeds({}))).toThrow(InvalidError);
    expect(() => chooseFeeds({ id, ...settings }, {}, liveFeeds({}))).toThrow(
      new RegExp(
        `^brokerage: '${id}' is not offered by this server \\(${name} runs once the operator adds its LEAN plugin to the runner image; docs/live\\.md\\); it offers QuantConnectBrokerage \\(Paper Trading\\)$`,
      ),
    );
  });
});

describe('other forms', () => {
  test('the operator’s explicit type wins; a map keyed by display name offers the module', () => {
    const feeds = liveFeeds({ LCS_LIVE_FEEDS: JSON.stringify({ defaultDataQueueHandler: 'X', brokerages: { 'Interactive Brokers': 'MyIbBrokerage' } }) });
    expect(chooseFeeds({ id: 'InteractiveBrokersBrokerage', 'ib-user-name': 'u', 'ib-account': 'a', 'ib-password': 'p' }, {}, feeds).leanBrokerage).toBe(
      'MyIbBrokerage',
    );
    // An id lean-cli's modules do not know, named by the operator, passes its settings through unchecked.
    const custom = liveFeeds({ LCS_LIVE_FEEDS: JSON.stringify({ defaultDataQueueHandler: 'X', brokerages: { MyBroker: 'QuantConnect.MyBroker' } }) });
    expect(chooseFeeds({ id: 'MyBroker', 'my-key': 'k' }, {}, custom)).toMatchObject({
      leanBrokerage: 'QuantConnect.MyBroker',
      secretValues: { 'my-key': 'k' },
    });
  });

  test.each(['CharlesSchwabBrokerage', 'AlpacaBrokerage', 'TradeStationBrokerage', 'TastytradeBrokerage'])(
    '%s signs in through OAuth (live/auth0), which this server does not offer',
    (id) => {
      expect(() => chooseFeeds({ id, 'charles-schwab-account-number': '1' }, {}, everything())).toThrow(
        /signs in through QuantConnect's OAuth flow \(live\/auth0\)/,
      );
    },
  );

  test('paper trading needs nothing; an unknown brokerage names what is offered', () => {
    expect(chooseFeeds({ id: 'QuantConnectBrokerage' }, {}, everything()).leanBrokerage).toBe('PaperBrokerage');
    expect(() => chooseFeeds({ id: 'NoSuchBroker' }, {}, everything())).toThrow(
      /^brokerage: 'NoSuchBroker' is not offered by this server; it offers QuantConnectBrokerage \(Paper Trading\), InteractiveBrokersBrokerage/,
    );
  });
});
