import { ApiError, api } from '../api';
import type { Order } from '../orders-table';

/**
 * Everything the live page shows, read in one go through the public API (contract §3.8):
 * `live/read`, `live/portfolio/read`, a page of `live/orders/read` and the tail of `live/logs/read`.
 * The page polls this one function, so a push channel can replace the polling in one place.
 */
export interface LiveRead {
  status: string | null;
  deployId: string;
  launched: string;
  stopped: string | null;
  brokerage: string;
  projectName: string;
  message?: string;
  error?: string | null;
  runtimeStatistics?: Record<string, string>;
  charts?: Record<string, unknown>;
  node?: { name?: string; sku?: string };
}

export interface Holding {
  a?: number;
  q?: number;
  p?: number;
  v?: number;
  u?: number;
  up?: number;
  symbol?: string | { value?: string };
}

export interface Cash {
  symbol: string;
  amount: number;
  conversionRate?: number;
  currencySymbol?: string;
  valueInAccountCurrency?: number;
}

export interface LiveData {
  /** Absent when the project was never deployed. */
  live?: LiveRead;
  none?: string;
  portfolio?: { holdings: Record<string, Holding>; cash: Record<string, Cash> };
  orders?: { orders: Order[]; length: number };
  logs: string[];
}

/** Deployment states after which nothing changes any more (lean-cli's status enum). */
const FINAL = new Set(['Stopped', 'Liquidated', 'RuntimeError', 'Completed', 'Deleted', 'DeployError', 'Invalid']);
export const isLive = (d: LiveData) => !!d.live?.status && !FINAL.has(d.live.status);

const LOG_TAIL = 60;

/** The last LOG_TAIL lines of the deployment: one read for the count, one for the tail. */
async function logTail(projectId: number, deployId: string): Promise<string[]> {
  const read = (startLine: number, endLine: number) =>
    api<{ logs: string[]; length: number; deploymentOffset: number }>('live/logs/read', {
      format: 'json',
      projectId,
      algorithmId: deployId,
      startLine,
      endLine,
    });
  const head = await read(0, 1);
  const total = head.length - head.deploymentOffset;
  return total <= 1 ? head.logs : (await read(Math.max(0, total - LOG_TAIL), total)).logs;
}

export async function loadLive(projectId: number, ordersStart: number, ordersPage: number): Promise<LiveData> {
  let live: LiveRead;
  try {
    live = await api<LiveRead>('live/read', { projectId });
  } catch (err) {
    if (err instanceof ApiError && /No live deployment found/.test(err.message)) return { none: err.message, logs: [] };
    throw err;
  }
  const [portfolio, orders, logs] = await Promise.all([
    api<{ portfolio: LiveData['portfolio'] }>('live/portfolio/read', { projectId }).then((a) => a.portfolio),
    // While the orders snapshot is being made the answer is the loading form (no `orders`).
    api<{ orders?: Order[]; length?: number }>('live/orders/read', { projectId, start: ordersStart, end: ordersStart + ordersPage }).then((a) =>
      a.orders ? { orders: a.orders, length: a.length ?? a.orders.length } : undefined,
    ),
    logTail(projectId, live.deployId),
  ]);
  return { live, portfolio, orders, logs };
}
