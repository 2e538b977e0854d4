import { throttledDataReads, throttledNote } from '../../runner/data-reads';

/** LEAN's log lines when data/read answers 429 (Lean:Api/ApiConnection.cs, Lean:Api/Api.cs). */
const LOG = [
  '2026-12-04T10:00:00.000Z ERROR:: ApiConnect.TryRequest(https://api.example/api/v2/data/read): HTTP Error: 429 Too Many Requests. Content: {"success":false,"errors":["Too many requests for this organization; retry in 2 s."]}',
  '2026-12-04T10:00:00.001Z TRACE:: Api.DownloadData(): Failed to get link for /Lean/Data/equity/usa/minute/spy/20230103_trade.zip. Errors: Too many requests for this organization; retry in 2 s.',
  '2026-12-04T10:00:00.002Z TRACE:: Api.DownloadData(): Failed to get link for /Lean/Data/equity/usa/minute/aapl/20230103_trade.zip. Errors: File not found',
  '2026-12-04T10:00:00.003Z ERROR:: ApiConnect.TryRequest(https://api.example/api/v2/data/read): HTTP Error: 429 Too Many Requests. Content: {"message":"Too Many Requests"}',
].join('\n');

test('throttled data reads are counted from LEAN log; a file that is simply missing is not', () => {
  const reads = throttledDataReads(LOG);
  expect(reads).toEqual({ files: ['/Lean/Data/equity/usa/minute/spy/20230103_trade.zip'], responses: 2 });
  expect(throttledNote(reads)).toMatch(
    /^Warning: 2 market data read\(s\) were refused by the API's rate limit \(HTTP 429\); LEAN ran without these files: \/Lean\/Data\/equity\/usa\/minute\/spy\/20230103_trade\.zip\./,
  );
  expect(throttledNote(throttledDataReads('2026-12-04T10:00:00.000Z TRACE:: nothing throttled'))).toBeUndefined();
});
