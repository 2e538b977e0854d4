import autocannon from 'autocannon';
import { qcHeaders, startBenchServer } from './local-server';
import { timeEach } from './timing';

/**
 * Authenticated read throughput and latency of the local server (issue target: ≥ 1,500 req/s on
 * 2 cores, p99 ≤ 20 ms), and how one request compares with a bare DynamoDB GetItem on the same
 * emulator in the same run. Prints figures; asserts nothing.
 */
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 1000);

async function load(title: string, options: autocannon.Options) {
  const result = await autocannon({ ...options, connections: CONNECTIONS, duration: DURATION_S });
  const bad = result.non2xx + result.errors + result.timeouts + (result.mismatches ?? 0);
  return { title, rps: Math.round(result.requests.average), p50: result.latency.p50, p99: result.latency.p99, requests: result.requests.total, bad };
}

async function measure(authCacheSeconds: number): Promise<void> {
  // Raw throughput: the per-organisation rate limit (50 req/s by default) is lifted for the run.
  const bench = await startBenchServer('api', { args: ['--auth-cache-seconds', String(authCacheSeconds)] });
  const { server, admin } = bench;
  try {
    const { identityService } = await import('../core/domain/identity/identity-service');
    const { documentClient, tableName } = await import('../core/data/table/clients');
    const { keys } = await import('../core/data/table/keys');
    const { GetCommand } = await import('@aws-sdk/lib-dynamodb');
    const apiKey = await identityService.issueKey(admin.userId, 'bench');
    const auth = qcHeaders(admin);
    const post = async (endpoint: string, body: unknown) => {
      const response = await fetch(`${server.apiUrl}${endpoint}`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return (await response.json()) as Record<string, unknown>;
    };
    const created = await post('projects/create', { name: 'Bench', language: 'Py' });
    const projectId = (created.projects as { projectId: number }[])[0]?.projectId as number;
    for (let i = 0; i < 10; i++) {
      await post('files/create', { projectId, name: `module_${i}.py`, content: `# module ${i}\n${'value = 1\n'.repeat(200)}` });
    }

    const readProjectBody = JSON.stringify({ projectId });
    const expectedProject = JSON.stringify(await post('projects/read', { projectId }));
    const filesUrl = `${server.apiUrl}files/read?projectId=${projectId}`;
    const expectedFiles = await (await fetch(filesUrl, { headers: auth })).text();

    const getItem = () => documentClient().send(new GetCommand({ TableName: tableName(), Key: keys.project(projectId) }));
    await timeEach(200, getItem);
    const bare = await timeEach(SEQUENTIAL, getItem);
    const oneRequest = await timeEach(SEQUENTIAL, () =>
      fetch(`${server.apiUrl}projects/read`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: readProjectBody }).then((r) =>
        r.text(),
      ),
    );

    const runs = [
      await load('projects/read  (QC hash, POST JSON)', {
        url: `${server.apiUrl}projects/read`,
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: readProjectBody,
        expectBody: expectedProject,
      }),
      await load('files/read     (QC hash, GET query, 10 files)', { url: filesUrl, headers: auth, expectBody: expectedFiles }),
      await load('projects/read  (X-API-Key + secret)', {
        url: `${server.apiUrl}projects/read`,
        method: 'POST',
        headers: { 'x-api-key': apiKey.keyId, 'x-api-secret': apiKey.secret, 'content-type': 'application/json' },
        body: readProjectBody,
        expectBody: expectedProject,
      }),
    ];

    const cacheNote =
      authCacheSeconds > 0
        ? `authorizer cache ${authCacheSeconds} s (as deployed behind API Gateway)`
        : 'authorizer cache off (every request re-verified against the table)';
    console.log(
      `\nAPI throughput, ${cacheNote}: ${CONNECTIONS} connections, ${DURATION_S} s each; server, DynamoDB Local and load generator share the machine`,
    );
    console.table(runs.map((r) => ({ endpoint: r.title, 'req/s': r.rps, 'p50 ms': r.p50, 'p99 ms': r.p99, requests: r.requests, 'wrong answers': r.bad })));
    console.log(`Sequential, ${SEQUENTIAL} calls each (one at a time):`);
    console.table([
      { what: 'bare DynamoDB GetItem (same emulator)', 'p50 ms': bare.p50.toFixed(2), 'p99 ms': bare.p99.toFixed(2), 'mean ms': bare.mean.toFixed(2) },
      {
        what: 'authenticated projects/read over HTTP',
        'p50 ms': oneRequest.p50.toFixed(2),
        'p99 ms': oneRequest.p99.toFixed(2),
        'mean ms': oneRequest.mean.toFixed(2),
      },
    ]);
    console.log(`Ratio of one projects/read to a bare GetItem (p50): ${(oneRequest.p50 / bare.p50).toFixed(2)}x`);
  } finally {
    await bench.stop();
  }
}

export async function runApiThroughput(): Promise<void> {
  await measure(10);
  await measure(0);
}
