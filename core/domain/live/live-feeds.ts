import { InvalidError } from '../../shared/errors';
import { type BrokerageModule, brokerageModule, leanSettings, missingSettings, missingSettingsMessage } from './brokerages';

/**
 * Brokerages and live data feeds (design §8, lean-runtime §2.4). Stock LEAN has no live feed of its
 * own, so what a deployment may use is what the operator put in the runner image and named in
 * `LCS_LIVE_FEEDS` (docs/live.md):
 *
 *   { "dataQueueHandlers": { "<provider id>": "<LEAN IDataQueueHandler type>" },
 *     "defaultDataQueueHandler": "<LEAN type>",
 *     "brokerages": { "<lean-cli brokerage id>": "<LEAN IBrokerage type>" } }
 *
 * Paper trading (`PaperBrokerage`) is always offered. lean-cli's `QuantConnect` data provider (id
 * `QuantConnectBrokerage`) means "this server's default feed". Local mode defaults to LEAN's
 * `FakeDataQueue`, which makes up random prices: fine to try the platform, not market data.
 */
export interface LiveFeeds {
  /**
   * Data-provider id → LEAN type. A provider of core/domain/live/brokerages.ts (Polygon) may map to
   * `""`: its LEAN type is then the module's. `LCS_LIVE_FEEDS` may also list ids or names.
   */
  dataQueueHandlers: Record<string, string>;
  defaultDataQueueHandler?: string;
  /**
   * lean-cli brokerage id → LEAN type. An id of lean-cli's modules (core/domain/live/brokerages.ts)
   * may map to `""`: its LEAN type is then the module's. `LCS_LIVE_FEEDS` may also list ids or names.
   */
  brokerages: Record<string, string>;
}

/** lean-cli's and LEAN's spellings of paper trading (`live/create` brokerage ids). */
const PAPER_IDS = new Set(['quantconnectbrokerage', 'paperbrokerage', 'paper trading', 'paper', 'paper-trading']);
/** lean-cli's id for QuantConnect's own data feed, and LEAN's default `dataProviders`. */
const QC_FEED_IDS = new Set(['quantconnectbrokerage', 'quantconnect']);

export const FAKE_DATA_QUEUE = 'QuantConnect.Lean.Engine.DataFeeds.Queues.FakeDataQueue';

export function liveFeeds(env: NodeJS.ProcessEnv = process.env): LiveFeeds {
  const raw = env.LCS_LIVE_FEEDS;
  if (!raw) return { dataQueueHandlers: {}, brokerages: {} };
  let parsed: Partial<LiveFeeds>;
  try {
    parsed = JSON.parse(raw) as Partial<LiveFeeds>;
  } catch (err) {
    throw new Error(`LCS_LIVE_FEEDS is not JSON: ${(err as Error).message}`);
  }
  const byId = (listed: unknown): Record<string, string> =>
    Array.isArray(listed)
      ? Object.fromEntries(listed.map((name) => [brokerageModule(String(name))?.id ?? String(name), '']))
      : ((listed as Record<string, string> | undefined) ?? {});
  return { dataQueueHandlers: byId(parsed.dataQueueHandlers), brokerages: byId(parsed.brokerages), defaultDataQueueHandler: parsed.defaultDataQueueHandler };
}

export interface FeedChoice {
  leanBrokerage: string;
  dataQueueHandlers: string[];
  /** The brokerage's and data providers' own settings (credentials): LEAN config keys → values, for the secret. */
  secretValues: Record<string, string>;
}

const offered = (feeds: LiveFeeds) =>
  [...(feeds.defaultDataQueueHandler ? ['QuantConnect'] : []), ...Object.keys(feeds.dataQueueHandlers), ...Object.keys(feeds.brokerages)].join(', ') ||
  'none (the operator has configured no live data feed)';

/** The key of `offers` (the operator's brokerages or data providers) naming `id`: the id itself, or another spelling of the same module. */
function offeredKey(id: string, offers: Record<string, string>): string | undefined {
  if (id in offers) return id;
  const module = brokerageModule(id);
  return module && Object.keys(offers).find((k) => brokerageModule(k)?.id === module.id);
}

/** Refuses a module that needs QuantConnect's OAuth flow in this role, unless the operator named its own type for it. */
function refuseOAuth(module: BrokerageModule | undefined, role: 'brokerage' | 'feed', explicit: string | undefined, field: string): void {
  if (module?.oauth && !explicit && (module.oauth === 'both' || role === 'brokerage'))
    throw new InvalidError(
      `${field}: ${module.name} signs in through QuantConnect's OAuth flow (live/auth0), which this server does not offer; choose a brokerage that takes its credentials as settings`,
    );
}

/** LEAN's type for a module in `role`, its required settings given; otherwise an error naming what is missing. */
function checkedType(
  module: BrokerageModule | undefined,
  id: string,
  settings: Record<string, unknown>,
  explicit: string | undefined,
  role: 'brokerage' | 'feed',
  field: string,
): string {
  if (module) {
    const missing = missingSettings(module, settings, role);
    if (missing.length) throw new InvalidError(`${field}: ${missingSettingsMessage(module, missing)}`);
  }
  const type = explicit || module?.leanType(settings);
  if (!type) throw new InvalidError(`${field}: '${id}' has no LEAN type configured on this server (LCS_LIVE_FEEDS)`);
  return type;
}

/**
 * LEAN's type for a brokerage the client names (as the brokerage, or as a data provider streaming
 * its own data), if the runner image offers it, its required settings given; otherwise an error
 * naming what is missing or what this server offers.
 */
function offeredBrokerage(id: string, settings: Record<string, unknown>, feeds: LiveFeeds, role: 'brokerage' | 'feed'): string {
  const field = role === 'brokerage' ? 'brokerage' : 'dataProviders';
  const module = brokerageModule(id);
  if (role === 'brokerage' && module?.dataOnly)
    throw new InvalidError(`brokerage: ${module.name} is a data provider, not a brokerage (send it in dataProviders)`);
  const key = offeredKey(id, feeds.brokerages);
  const explicit = key === undefined ? undefined : feeds.brokerages[key];
  refuseOAuth(module, role, explicit, field);
  if (key === undefined) {
    const names = ['QuantConnectBrokerage (Paper Trading)', ...Object.keys(feeds.brokerages)].join(', ');
    const plugin = module ? ` (${module.name} runs once the operator adds its LEAN plugin to the runner image; docs/live.md)` : '';
    throw new InvalidError(`${field}: '${id}' is not offered by this server${plugin}; it offers ${names}`);
  }
  const refusal = role === 'feed' && !explicit ? module?.feedRefusal?.(settings) : undefined;
  if (refusal) throw new InvalidError(`dataProviders: ${refusal}`);
  return checkedType(module, id, settings, explicit, role, field);
}

/** LEAN's data-queue handler for a data provider the client names, or `undefined` when the server does not offer it. */
function offeredFeed(id: string, settings: Record<string, unknown>, brokerage: Record<string, unknown>, feeds: LiveFeeds): string | undefined {
  if (QC_FEED_IDS.has(id.toLowerCase())) return feeds.defaultDataQueueHandler;
  // The operator's own type for this id, as configured (checked by nothing but the operator).
  if (feeds.dataQueueHandlers[id]) return feeds.dataQueueHandlers[id];
  const module = brokerageModule(id);
  const key = offeredKey(id, feeds.dataQueueHandlers);
  if (key !== undefined) {
    refuseOAuth(module, 'feed', feeds.dataQueueHandlers[key], 'dataProviders');
    return checkedType(module, id, settings, feeds.dataQueueHandlers[key], 'feed', 'dataProviders');
  }
  // A brokerage the server offers streams its own data too (lean-cli sends it as a data provider);
  // the brokerage's settings count when both name the same module.
  if (offeredKey(id, feeds.brokerages) === undefined) return undefined;
  const same = module !== undefined && brokerageModule(String(brokerage.id ?? ''))?.id === module.id;
  return offeredBrokerage(id, same ? { ...brokerage, ...settings } : settings, feeds, 'feed');
}

/**
 * Maps lean-cli's brokerage and data-provider choices to LEAN's config, or refuses naming what
 * this server offers. Every setting besides `id`, `cash` and `holdings` is treated as a
 * credential: it goes to the deployment's secret, never to the table.
 */
export function chooseFeeds(brokerage: Record<string, unknown>, dataProviders: Record<string, Record<string, unknown>>, feeds: LiveFeeds): FeedChoice {
  const secretValues: Record<string, string> = {};
  const keep = (id: string, settings: Record<string, unknown>) => {
    for (const [key, value] of Object.entries(leanSettings(brokerageModule(id), settings))) {
      if (key === 'id' || key === 'cash' || key === 'holdings' || value === undefined || value === null) continue;
      secretValues[key] = typeof value === 'string' ? value : JSON.stringify(value);
    }
  };
  const brokerageId = String(brokerage.id ?? '');
  let leanBrokerage: string;
  if (PAPER_IDS.has(brokerageId.toLowerCase())) leanBrokerage = 'PaperBrokerage';
  else leanBrokerage = offeredBrokerage(brokerageId, brokerage, feeds, 'brokerage');
  keep(brokerageId, brokerage);

  const handlers: string[] = [];
  const entries = Object.entries(dataProviders);
  // LEAN's own live/create sends `{QuantConnectBrokerage: {id: QuantConnectBrokerage}}`; none at all means the same.
  for (const [key, settings] of entries.length ? entries : [['QuantConnectBrokerage', { id: 'QuantConnectBrokerage' }] as const]) {
    const id = String((settings as Record<string, unknown>).id ?? key);
    const handler = offeredFeed(id, settings as Record<string, unknown>, brokerage, feeds);
    if (!handler) throw new InvalidError(`dataProviders: '${id}' is not offered by this server; it offers ${offered(feeds)}`);
    if (!handlers.includes(handler)) handlers.push(handler);
    keep(id, settings as Record<string, unknown>);
  }
  return { leanBrokerage, dataQueueHandlers: handlers, secretValues };
}
