import { blobStore } from '../blobs/blob-store';
import type { ChartRequest } from '../results/chart-levels';
import type { Chart, InsightItem, OrderItem } from '../results/result-model';
import { chartStore, readText } from '../results/result-store';

/**
 * What a live runner publishes besides its item (design §8): the merged orders with their events,
 * the insights, the algorithm's log lines and the charts, in the artifacts bucket under the
 * project's prefix (deleting the project removes them). Charts go through the same
 * level-of-detail store as backtests, so `live/chart/read` reads O(count) points.
 */
const root = (projectId: number, deployId: string) => `projects/${projectId}/live/${deployId}/`;
const chartPrefix = (projectId: number, deployId: string, name: string) => `${root(projectId, deployId)}charts/${encodeURIComponent(name)}/`;

async function readJson<T>(key: string): Promise<T | undefined> {
  const text = await readText(key);
  return text === undefined ? undefined : (JSON.parse(text) as T);
}

export const liveResults = {
  async writeOrders(projectId: number, deployId: string, orders: OrderItem[]): Promise<void> {
    await blobStore.put(`${root(projectId, deployId)}orders.json`, JSON.stringify(orders), 'application/json');
  },

  async readOrders(projectId: number, deployId: string): Promise<OrderItem[]> {
    return (await readJson<OrderItem[]>(`${root(projectId, deployId)}orders.json`)) ?? [];
  },

  async writeInsights(projectId: number, deployId: string, insights: InsightItem[]): Promise<void> {
    await blobStore.put(`${root(projectId, deployId)}insights.json`, JSON.stringify(insights), 'application/json');
  },

  async readInsights(projectId: number, deployId: string): Promise<InsightItem[]> {
    return (await readJson<InsightItem[]>(`${root(projectId, deployId)}insights.json`)) ?? [];
  },

  /** The deployment's whole log so far (a restarted runner continues it). */
  async writeLog(projectId: number, deployId: string, lines: string[]): Promise<void> {
    await blobStore.put(`${root(projectId, deployId)}log.txt`, lines.length ? `${lines.join('\n')}\n` : '', 'text/plain; charset=utf-8');
  },

  async readLog(projectId: number, deployId: string): Promise<string[]> {
    const text = (await readText(`${root(projectId, deployId)}log.txt`)) ?? '';
    return text ? text.replace(/\n$/, '').split('\n') : [];
  },

  async writeCharts(projectId: number, deployId: string, charts: Chart[]): Promise<void> {
    await chartStore.write(charts.map((chart) => ({ prefix: chartPrefix(projectId, deployId, chart.name), chart })));
  },

  readChart(projectId: number, deployId: string, name: string, request: ChartRequest): Promise<Chart | undefined> {
    return chartStore.read(chartPrefix(projectId, deployId, name), request);
  },
};
