import { qcHeaders, startBenchServer } from './local-server';

/**
 * lean-cli's push (projects/update with the whole file set) of a large project against the local
 * server: a first push of new files, a push changing every file, a push changing a tenth of them,
 * and a push changing nothing. Each is timed a few times and the median printed. Prints figures;
 * asserts nothing.
 */
const FILES = Number(process.env.BENCH_PUSH_FILES ?? 2000);
const FILE_BYTES = Number(process.env.BENCH_PUSH_FILE_BYTES ?? 3000);
const ROUNDS = Number(process.env.BENCH_PUSH_ROUNDS ?? 3);

function fileSet(round: number, changedEvery: number): { name: string; content: string }[] {
  return Array.from({ length: FILES }, (_, i) => {
    const stamp = i % changedEvery === 0 ? round : 0;
    const head = `# module ${i}, round ${stamp}\n`;
    return { name: `pkg${i % 20}/module_${i}.py`, content: head + 'value = 1\n'.repeat(Math.max(0, Math.floor((FILE_BYTES - head.length) / 10))) };
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

export async function runProjectPush(): Promise<void> {
  const bench = await startBenchServer('push');
  try {
    const auth = { ...qcHeaders(bench.admin), 'content-type': 'application/json' };
    const post = async (endpoint: string, body: unknown) => {
      const response = await fetch(`${bench.server.apiUrl}${endpoint}`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
      const json = (await response.json()) as Record<string, unknown>;
      if (json.success !== true) throw new Error(`${endpoint}: ${JSON.stringify(json.errors)}`);
      return json;
    };
    const timedPush = async (projectId: number, files: { name: string; content: string }[]) => {
      const start = performance.now();
      await post('projects/update', { projectId, files });
      return (performance.now() - start) / 1000;
    };
    const rows: { push: string; 'median s': string; 'files/s': number }[] = [];
    const record = (push: string, seconds: number[]) => {
      const s = median(seconds);
      rows.push({ push, 'median s': s.toFixed(2), 'files/s': Math.round(FILES / s) });
    };
    const first: number[] = [];
    const all: number[] = [];
    const tenth: number[] = [];
    const none: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const created = await post('projects/create', { name: `Push bench ${round}`, language: 'Py' });
      const projectId = (created.projects as { projectId: number }[])[0]?.projectId as number;
      first.push(await timedPush(projectId, fileSet(0, 1)));
      all.push(await timedPush(projectId, fileSet(round, 1)));
      tenth.push(await timedPush(projectId, fileSet(round + 100, 10)));
      none.push(await timedPush(projectId, fileSet(round + 100, 10)));
      const read = await post('files/read', { projectId });
      if ((read.files as unknown[]).length !== FILES) throw new Error(`expected ${FILES} files after the pushes`);
    }
    record(`first push, ${FILES} new files`, first);
    record('every file changed', all);
    record('a tenth changed', tenth);
    record('nothing changed', none);
    console.log(`\nprojects/update with ${FILES} files of ${FILE_BYTES} bytes, ${ROUNDS} rounds (median); server and DynamoDB Local share the machine`);
    console.table(rows);
  } finally {
    await bench.stop();
  }
}
