import { config } from '../../shared/config';
import { blobStore } from '../blobs/blob-store';
import { isMissing } from '../blobs/s3-objects';
import { s3 } from '../table/clients';
import { assembleChart, type ChartBlock, type ChartIndex, type ChartRequest, planRead, splitChart } from './chart-levels';
import { type Chart, type InsightItem, type LeanResults, type OrderItem, RESULT_PAGE_SIZE, type ResultSummary, resultKeys } from './result-model';

/**
 * A backtest's results in the artifacts bucket, pre-split when the runner uploads them (design §7):
 * the summary, each chart as an index plus value blocks (chart-levels.ts), orders and insights in
 * pages of RESULT_PAGE_SIZE, the log and the report. Every read fetches only what it returns, so
 * reading page 500 of 1,000 costs the same as reading page 0.
 */
const UPLOAD_CONCURRENCY = 16;

type Upload = () => Promise<void>;

/** Runs the uploads with at most `limit` in flight; bodies are built as each one starts. */
async function runBounded(uploads: Upload[], limit: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < uploads.length) {
      const upload = uploads[next++]!;
      await upload();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, uploads.length) }, worker));
}

const putJson =
  (key: string, build: () => unknown): Upload =>
  () =>
    blobStore.put(key, JSON.stringify(build()), 'application/json');

/** An object's text in the artifacts bucket, or undefined when there is no such object. */
export async function readText(key: string): Promise<string | undefined> {
  const { client, sdk } = await s3();
  try {
    const out = await client.send(new sdk.GetObjectCommand({ Bucket: config().ARTIFACTS_BUCKET_NAME, Key: key }));
    return (await out.Body?.transformToString('utf8')) ?? '';
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}

async function readJson<T>(key: string): Promise<T | undefined> {
  const text = await readText(key);
  return text === undefined ? undefined : (JSON.parse(text) as T);
}

function pageUploads<T>(items: T[], keyOf: (page: number) => string): Upload[] {
  const pages = Math.ceil(items.length / RESULT_PAGE_SIZE);
  return Array.from({ length: pages }, (_, page) => putJson(keyOf(page), () => items.slice(page * RESULT_PAGE_SIZE, (page + 1) * RESULT_PAGE_SIZE)));
}

/** Items [start, end) of a paged list of `total`: at most the two pages a window of ≤ 100 touches. */
async function readWindow<T>(keyOf: (page: number) => string, start: number, end: number, total: number): Promise<T[]> {
  const stop = Math.min(end, total);
  if (start >= stop) return [];
  const first = Math.floor(start / RESULT_PAGE_SIZE);
  const last = Math.floor((stop - 1) / RESULT_PAGE_SIZE);
  const pages = await Promise.all(Array.from({ length: last - first + 1 }, (_, i) => readJson<T[]>(keyOf(first + i))));
  const offset = first * RESULT_PAGE_SIZE;
  return pages.flatMap((p) => p ?? []).slice(start - offset, stop - offset);
}

/** One chart as an index plus level-of-detail blocks (chart-levels.ts) under `prefix`. */
function chartUploads(prefix: string, chart: Chart): Upload[] {
  const { index, blocks } = splitChart(chart);
  const uploads: Upload[] = [];
  blocks.forEach((level, l) => {
    level.forEach((block, b) => {
      uploads.push(putJson(`${prefix}${l}/${b}.json`, () => block));
    });
  });
  uploads.push(putJson(`${prefix}index.json`, () => index));
  return uploads;
}

/**
 * The level-of-detail chart store by key prefix, for results other than a backtest's (a live
 * deployment republishes its charts while it runs).
 */
export const chartStore = {
  async write(charts: { prefix: string; chart: Chart }[]): Promise<void> {
    await runBounded(
      charts.flatMap((c) => chartUploads(c.prefix, c.chart)),
      UPLOAD_CONCURRENCY,
    );
  },

  /** One chart down-sampled to `count` points per series within the window; undefined when none is stored. */
  async read(prefix: string, request: ChartRequest): Promise<Chart | undefined> {
    const index = await readJson<ChartIndex>(`${prefix}index.json`);
    if (!index) return undefined;
    const plan = planRead(index, request);
    const blocks = await Promise.all(plan.blocks.map(async (b) => (await readJson<ChartBlock>(`${prefix}${plan.level}/${b}.json`)) ?? { values: {} }));
    return assembleChart(index, blocks, request);
  },
};

export interface WrittenResults {
  orderCount: number;
  insightCount: number;
  chartNames: string[];
}

/**
 * Everything stored for the backtest (results, report, progress charts). Also exported on its own:
 * the routes that only delete results (backtests/delete, projects/delete, optimizations/delete and
 * abort) then bundle neither the chart levels nor the readers.
 */
export function deleteResults(projectId: number, backtestId: string): Promise<number> {
  return blobStore.deletePrefix(resultKeys.root(projectId, backtestId));
}

export const resultStore = {
  async writeResults(projectId: number, backtestId: string, results: LeanResults): Promise<WrittenResults> {
    const uploads: Upload[] = [];
    for (const chart of results.charts) uploads.push(...chartUploads(resultKeys.chartPrefix(projectId, backtestId, chart.name), chart));
    uploads.push(...pageUploads(results.orders, (page) => resultKeys.ordersPage(projectId, backtestId, page)));
    uploads.push(...pageUploads(results.insights, (page) => resultKeys.insightsPage(projectId, backtestId, page)));
    uploads.push(() => blobStore.put(resultKeys.log(projectId, backtestId), results.algorithmLog, 'text/plain; charset=utf-8'));
    uploads.push(putJson(resultKeys.summary(projectId, backtestId), () => results.summary));
    await runBounded(uploads, UPLOAD_CONCURRENCY);
    return { orderCount: results.orders.length, insightCount: results.insights.length, chartNames: results.charts.map((c) => c.name) };
  },

  readSummary(projectId: number, backtestId: string): Promise<ResultSummary | undefined> {
    return readJson<ResultSummary>(resultKeys.summary(projectId, backtestId));
  },

  readLog(projectId: number, backtestId: string): Promise<string | undefined> {
    return readText(resultKeys.log(projectId, backtestId));
  },

  /** Orders [start, end) (0-based, end exclusive, as `projects/read` and LEAN's 0..100) of `total`. */
  readOrders(projectId: number, backtestId: string, start: number, end: number, total: number): Promise<OrderItem[]> {
    return readWindow<OrderItem>((page) => resultKeys.ordersPage(projectId, backtestId, page), start, end, total);
  },

  readInsights(projectId: number, backtestId: string, start: number, end: number, total: number): Promise<InsightItem[]> {
    return readWindow<InsightItem>((page) => resultKeys.insightsPage(projectId, backtestId, page), start, end, total);
  },

  /** One chart down-sampled to `count` points per series within the window; undefined for an unknown name. */
  readChart(projectId: number, backtestId: string, name: string, request: ChartRequest): Promise<Chart | undefined> {
    return chartStore.read(resultKeys.chartPrefix(projectId, backtestId, name), request);
  },

  async writeReport(projectId: number, backtestId: string, html: string): Promise<void> {
    await blobStore.put(resultKeys.report(projectId, backtestId), html, 'text/html; charset=utf-8');
  },

  readReport(projectId: number, backtestId: string): Promise<string | undefined> {
    return readText(resultKeys.report(projectId, backtestId));
  },

  deleteResults,
};
