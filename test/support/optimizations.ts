import { type Answer, call, type FormPairs, type LeanCli } from './api';

/**
 * lean-cli's optimization calls (lean-cli `optimization_client.py`, contract §3.7, §5.2): form
 * bodies with bracket keys (`parameters[i][key]`, `constraints[i][target-value]`), `targetValue=""`,
 * `estimatedCost="0.01"`, and the constraint operator as LEAN's enum member name.
 */
export interface CliParameter {
  name: string;
  min: number;
  max: number;
  step: number;
}

export interface CliConstraint {
  target: string;
  operator: 'Less' | 'LessOrEqual' | 'Greater' | 'GreaterOrEqual' | 'Equals' | 'NotEqual';
  value: number;
}

export interface CliOptimization {
  projectId: number;
  compileId: string;
  name: string;
  target: string;
  extremum: 'min' | 'max';
  parameters: CliParameter[];
  constraints?: CliConstraint[];
  nodeType: string;
  parallelNodes: number;
}

export function leanCliForm(o: CliOptimization): FormPairs {
  const form: FormPairs = [
    ['projectId', o.projectId],
    ['compileId', o.compileId],
    ['name', o.name],
    ['strategy', 'QuantConnect.Optimizer.Strategies.GridSearchOptimizationStrategy'],
    ['target', o.target],
    ['targetTo', o.extremum],
    ['targetValue', ''],
    ['nodeType', o.nodeType],
    ['parallelNodes', o.parallelNodes],
    ['estimatedCost', '0.01'],
  ];
  o.parameters.forEach((p, i) => {
    form.push([`parameters[${i}][key]`, p.name], [`parameters[${i}][min]`, p.min], [`parameters[${i}][max]`, p.max], [`parameters[${i}][step]`, p.step]);
  });
  (o.constraints ?? []).forEach((c, i) => {
    form.push([`constraints[${i}][target]`, c.target], [`constraints[${i}][operator]`, c.operator], [`constraints[${i}][target-value]`, c.value]);
  });
  return form;
}

export const optimizeCalls = {
  estimate: (cli: LeanCli, o: CliOptimization) => call('optimizations/estimate', { form: leanCliForm(o), creds: cli.creds, base: cli.base }),
  create: (cli: LeanCli, o: CliOptimization) => call('optimizations/create', { form: leanCliForm(o), creds: cli.creds, base: cli.base }),
  read: (cli: LeanCli, optimizationId: string) => call('optimizations/read', { form: [['optimizationId', optimizationId]], creds: cli.creds, base: cli.base }),
  abort: (cli: LeanCli, optimizationId: string) =>
    call('optimizations/abort', { form: [['optimizationId', optimizationId]], creds: cli.creds, base: cli.base }),
  delete: (cli: LeanCli, optimizationId: string) =>
    call('optimizations/delete', { form: [['optimizationId', optimizationId]], creds: cli.creds, base: cli.base }),
  /** LEAN's and the MCP server's JSON form. */
  json: (cli: LeanCli, endpoint: string, body: Record<string, unknown>) => call(endpoint, { json: body, creds: cli.creds, base: cli.base }),
};

export interface PointBody {
  id: string;
  name: string;
  exitCode: number;
  progress: number;
  statistics: number[];
  parameterSet: Record<string, string>;
  equity: unknown[];
  error?: string;
}

export interface OptimizationBody {
  optimizationId: string;
  projectId: number;
  status: string;
  name: string;
  runtimeStatistics: Record<string, string>;
  backtests: Record<string, PointBody> | [];
  bestBacktestId: string | null;
  parallelNodes: number;
}

/** lean-cli's `QCOptimization.get_progress`. */
export function leanCliProgress(o: OptimizationBody): number {
  const s = o.runtimeStatistics;
  if ('Completed' in s && 'Failed' in s && 'Total' in s) return (Number(s.Completed) + Number(s.Failed)) / Number(s.Total);
  return 0;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** lean-cli's poll: read (form) while status is new, running or active; every answer seen is kept. */
export async function pollOptimization(
  cli: LeanCli,
  optimizationId: string,
  options: { timeoutMs?: number; until?: (o: OptimizationBody) => boolean } = {},
): Promise<{ final: OptimizationBody; seen: OptimizationBody[] }> {
  const until = options.until ?? ((o: OptimizationBody) => !['new', 'running', 'active'].includes(o.status));
  const deadline = Date.now() + (options.timeoutMs ?? 300_000);
  const seen: OptimizationBody[] = [];
  while (Date.now() < deadline) {
    const read: Answer = await optimizeCalls.read(cli, optimizationId);
    if (read.body.success !== true) throw new Error(`optimizations/read failed: ${read.text}`);
    const body = read.body.optimization as OptimizationBody;
    seen.push(body);
    if (until(body)) return { final: body, seen };
    await sleep(300);
  }
  const last = seen.at(-1);
  throw new Error(`optimization ${optimizationId} did not end: last seen ${last?.status} ${JSON.stringify(last?.runtimeStatistics)}`);
}

export function points(o: OptimizationBody): PointBody[] {
  return Array.isArray(o.backtests) ? [] : Object.values(o.backtests);
}
