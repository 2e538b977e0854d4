import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Starts local mode as a child process (what `npm start` runs) and waits for its "listening" line.
 * Used by the test global setup, the local-mode tests and the benchmarks, which all need the real
 * server with its embedded storage rather than an in-process imitation.
 */
export interface RuntimeInfo {
  apiUrl: string;
  port: number;
  pid: number;
  dynamoEndpoint: string;
  s3Endpoint: string;
  /** The data folder's storage credentials (local/embedded-storage.ts); absent from servers before them. */
  storageCredentials?: { accessKeyId: string; secretAccessKey: string };
  tableName: string;
  bucket: string;
  dataBucket: string;
  objectsBucket: string;
  tokenKeyFile: string;
  jobsQueueUrl: string;
  /** object/get's zip queue (local/object-zip-worker.ts); absent from servers before it. */
  objectZipQueueUrl?: string;
  deadLetterQueueUrl: string;
}

export interface ServerProcess {
  child: ChildProcess;
  apiUrl: string;
  runtime: RuntimeInfo;
  output: () => string;
  /** Sends SIGINT (Ctrl-C) and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export function storageEnv(runtime: RuntimeInfo): Record<string, string> {
  return {
    TABLE_NAME: runtime.tableName,
    ARTIFACTS_BUCKET_NAME: runtime.bucket,
    DATA_BUCKET_NAME: runtime.dataBucket,
    OBJECTS_BUCKET_NAME: runtime.objectsBucket,
    DYNAMODB_ENDPOINT: runtime.dynamoEndpoint,
    S3_ENDPOINT: runtime.s3Endpoint,
    SQS_ENDPOINT: runtime.s3Endpoint,
    JOBS_QUEUE_URL: runtime.jobsQueueUrl,
    ...(runtime.objectZipQueueUrl ? { OBJECT_ZIP_QUEUE_URL: runtime.objectZipQueueUrl } : {}),
    LCS_TOKEN_KEY_FILE: runtime.tokenKeyFile,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: runtime.storageCredentials?.accessKeyId ?? 'local',
    AWS_SECRET_ACCESS_KEY: runtime.storageCredentials?.secretAccessKey ?? 'local',
  };
}

/** Beyond embedded storage's own 90 s for DynamoDB Local, so that its clearer error is the one reported. */
const START_TIMEOUT_MS = 120_000;

export function startServerProcess(options: {
  dataDir: string;
  port?: number;
  env?: Record<string, string>;
  args?: string[];
  timeoutMs?: number;
}): Promise<ServerProcess> {
  const args = [
    '--import',
    'tsx',
    join(projectRoot, 'local', 'main.ts'),
    '--port',
    String(options.port ?? 0),
    '--data-dir',
    options.dataDir,
    ...(options.args ?? []),
  ];
  const child = spawn(process.execPath, args, { cwd: projectRoot, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const stop = async (signal: NodeJS.Signals = 'SIGINT') => {
    if (child.exitCode !== null) return child.exitCode;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  return new Promise((done, fail) => {
    const timer = setTimeout(() => {
      void stop('SIGKILL');
      fail(new Error(`local server did not start within ${(options.timeoutMs ?? START_TIMEOUT_MS) / 1000} s:\n${output}`));
    }, options.timeoutMs ?? START_TIMEOUT_MS);
    const watch = setInterval(() => {
      const match = /listening (\S+)/.exec(output);
      if (!match?.[1]) return;
      clearInterval(watch);
      clearTimeout(timer);
      const runtime = JSON.parse(readFileSync(join(options.dataDir, 'runtime.json'), 'utf8')) as RuntimeInfo;
      done({ child, apiUrl: match[1], runtime, output: () => output, stop });
    }, 50);
    void exited.then((code) => {
      clearInterval(watch);
      clearTimeout(timer);
      fail(new Error(`local server exited with code ${code}:\n${output}`));
    });
  });
}
