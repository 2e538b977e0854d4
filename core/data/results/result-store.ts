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

const chartIndexKey = (projectId: number, backtestId: string, name: string) => `${resultKeys.chartPrefix(projectId, backtestId, name)}index.json`;
const chartBlockKey = (projectId: number, backtestId: string, name: string, level: number, block: number) =>
  `${resultKeys.chartPrefix(projectId, backtestId, name)}${level}/${block}.json`;

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

/** An object's text, or undefined when there is no such object. */
async function readText(key: string): Promise<string | undefined> {
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

export interface WrittenResults {
  orderCount: number;
  insightCount: number;
  chartNames: string[];
}

export const resultStore = {
  async writeResults(projectId: number, backtestId: string, results: LeanResults): Promise<WrittenResults> {
    const uploads: Upload[] = [];
    for (const chart of results.charts) {
      const { index, blocks } = splitChart(chart);
      blocks.forEach((level, l) => {
        level.forEach((block, b) => {
          uploads.push(putJson(chartBlockKey(projectId, backtestId, chart.name, l, b), () => block));
        });
      });
      uploads.push(putJson(chartIndexKey(projectId, backtestId, chart.name), () => index));
    }
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
  async readChart(projectId: number, backtestId: string, name: string, request: ChartRequest): Promise<Chart | undefined> {
    const index = await readJson<ChartIndex>(chartIndexKey(projectId, backtestId, name));
    if (!index) return undefined;
    const plan = planRead(index, request);
    const blocks = await Promise.all(
      plan.blocks.map(async (b) => (await readJson<ChartBlock>(chartBlockKey(projectId, backtestId, name, plan.level, b))) ?? { values: {} }),
    );
    return assembleChart(index, blocks, request);
  },

  async writeReport(projectId: number, backtestId: string, html: string): Promise<void> {
    await blobStore.put(resultKeys.report(projectId, backtestId), html, 'text/html; charset=utf-8');
  },

  readReport(projectId: number, backtestId: string): Promise<string | undefined> {
    return readText(resultKeys.report(projectId, backtestId));
  },

  /** Everything stored for the backtest (results, report, progress charts). */
  deleteResults(projectId: number, backtestId: string): Promise<number> {
    return blobStore.deletePrefix(resultKeys.root(projectId, backtestId));
  },
};
