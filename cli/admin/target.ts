import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resetTokenCipher } from '../../core/data/identity/token-cipher';
import { resetClients } from '../../core/data/table/clients';
import { resetConfig } from '../../core/shared/config';
import { dataPaths, type EmbeddedStorage, ensureTable, LOCAL_BUCKETS, LOCAL_TABLE, startEmbeddedStorage } from '../../local/embedded-storage';
import type { RuntimeInfo } from '../../local/server-process';

/**
 * Where `lcs admin` works: local mode's storage (the running server's, or embedded storage
 * started for the one command) or a deployed stack's table, KMS key and usage plan. Opening a
 * target sets the environment the repositories read, exactly as a Lambda function gets it.
 */
export interface TargetOptions {
  dataDir: string;
  stack?: string[];
  region?: string;
  tableName?: string;
  kmsKeyId?: string;
  usagePlanId?: string;
  /** AWS: the market-data bucket, instead of the stack's DataBucketName output (`lcs data`). */
  dataBucket?: string;
  /** `lcs data` needs the data bucket and no table: a stack without a TableName output is fine. */
  tableOptional?: boolean;
}

export interface OpenTarget {
  kind: 'local' | 'aws';
  /** Names the target in messages: the data folder, or the table and region. */
  description: string;
  usagePlanId?: string;
  /** AWS: the KMS key that encrypts API tokens. */
  kmsKeyId?: string;
  /** The market-data bucket (also set as DATA_BUCKET_NAME); AWS: undefined when neither --data-bucket nor a DataBucketName output names it. */
  dataBucket?: string;
  /** The job queue and its dead-letter queue (`lcs status`), when known: a running server's runtime.json or the jobs stack's outputs. */
  jobsQueueUrl?: string;
  deadLetterQueueUrl?: string;
  close(): Promise<void>;
}

/** Local mode's fixed names (local/main.ts); runtime.json repeats them while a server runs. */
const STACK_OUTPUTS = [
  'TableName',
  'KmsKeyId',
  'UsagePlanId',
  'ArtifactsBucketName',
  'DataBucketName',
  'ObjectsBucketName',
  'JobsQueueUrl',
  'JobsDeadLetterQueueUrl',
  'ApiUrl',
] as const;

export async function openTarget(options: TargetOptions): Promise<OpenTarget> {
  const aws = Boolean(options.stack?.length || options.tableName || options.dataBucket);
  const target = aws ? await openAws(options) : await openLocal(options.dataDir);
  resetConfig();
  resetClients();
  resetTokenCipher();
  return target;
}

function setEnv(values: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function localEnv(
  runtime: Pick<RuntimeInfo, 'dynamoEndpoint' | 's3Endpoint' | 'tableName' | 'bucket' | 'tokenKeyFile' | 'storageCredentials'> & {
    dataBucket?: string;
    objectsBucket?: string;
  },
): string {
  const dataBucket = runtime.dataBucket || LOCAL_BUCKETS.data;
  setEnv({
    TABLE_NAME: runtime.tableName,
    ARTIFACTS_BUCKET_NAME: runtime.bucket,
    DATA_BUCKET_NAME: dataBucket,
    OBJECTS_BUCKET_NAME: runtime.objectsBucket || LOCAL_BUCKETS.objects,
    DYNAMODB_ENDPOINT: runtime.dynamoEndpoint,
    S3_ENDPOINT: runtime.s3Endpoint,
    // fauxqs serves SQS on the same address as S3.
    SQS_ENDPOINT: runtime.s3Endpoint,
    LCS_TOKEN_KEY_FILE: runtime.tokenKeyFile,
    LCS_TOKEN_KMS_KEY_ID: undefined,
    USAGE_PLAN_ID: undefined,
    AWS_REGION: 'us-east-1',
    // The data folder's own key id: DynamoDB Local shows its database to that id only.
    AWS_ACCESS_KEY_ID: runtime.storageCredentials?.accessKeyId ?? 'local',
    AWS_SECRET_ACCESS_KEY: runtime.storageCredentials?.secretAccessKey ?? 'local',
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
  });
  return dataBucket;
}

async function openLocal(dataDir: string): Promise<OpenTarget> {
  const paths = dataPaths(dataDir);
  if (existsSync(paths.runtime)) {
    const runtime = JSON.parse(readFileSync(paths.runtime, 'utf8')) as RuntimeInfo;
    if (Number.isInteger(runtime.pid) && isAlive(runtime.pid)) {
      const dataBucket = localEnv(runtime);
      return {
        kind: 'local',
        description: `the local server's storage in ${paths.root} (pid ${runtime.pid})`,
        dataBucket,
        jobsQueueUrl: runtime.jobsQueueUrl,
        deadLetterQueueUrl: runtime.deadLetterQueueUrl,
        async close() {},
      };
    }
  }
  if (!existsSync(join(paths.root, 'dynamodb'))) {
    throw new Error(`no local server data in ${paths.root}: start the server once (npm start) or pass --data-dir, --stack or --table-name`);
  }
  silenceSqliteWarning();
  let storage: EmbeddedStorage;
  try {
    storage = await startEmbeddedStorage(paths.root);
  } catch (err) {
    throw new Error(`could not start the embedded storage in ${paths.root}: ${(err as Error).message}`);
  }
  try {
    await ensureTable(storage.dynamoEndpoint, LOCAL_TABLE, storage.credentials);
  } catch (err) {
    await storage.stop();
    throw err;
  }
  const dataBucket = localEnv({
    dynamoEndpoint: storage.dynamoEndpoint,
    s3Endpoint: storage.s3Endpoint,
    storageCredentials: storage.credentials,
    tableName: LOCAL_TABLE,
    bucket: LOCAL_BUCKETS.artifacts,
    tokenKeyFile: paths.tokenKey,
  });
  return {
    kind: 'local',
    description: `the local storage in ${paths.root}`,
    dataBucket,
    async close() {
      resetClients();
      await storage.stop();
    },
  };
}

async function openAws(options: TargetOptions): Promise<OpenTarget> {
  let region = options.region;
  const outputs: Partial<Record<(typeof STACK_OUTPUTS)[number], string>> = {};
  if (options.stack?.length) {
    const found = await readStackOutputs(options.stack, region);
    Object.assign(outputs, found.outputs);
    region = found.region;
  }
  const tableName = options.tableName ?? outputs.TableName;
  const dataBucket = options.dataBucket ?? outputs.DataBucketName;
  if (!tableName && !options.tableOptional)
    throw new Error(
      `no table name: the stack${options.stack && options.stack.length > 1 ? 's' : ''} ${options.stack?.join(', ')} have no TableName output; pass --table-name`,
    );
  const usagePlanId = options.usagePlanId ?? outputs.UsagePlanId;
  const kmsKeyId = options.kmsKeyId ?? outputs.KmsKeyId;
  setEnv({
    TABLE_NAME: tableName,
    ARTIFACTS_BUCKET_NAME: outputs.ArtifactsBucketName ?? process.env.ARTIFACTS_BUCKET_NAME,
    DATA_BUCKET_NAME: dataBucket ?? process.env.DATA_BUCKET_NAME,
    OBJECTS_BUCKET_NAME: outputs.ObjectsBucketName ?? process.env.OBJECTS_BUCKET_NAME,
    LCS_TOKEN_KMS_KEY_ID: kmsKeyId,
    USAGE_PLAN_ID: usagePlanId,
    ...(region ? { AWS_REGION: region } : {}),
    DYNAMODB_ENDPOINT: undefined,
    S3_ENDPOINT: undefined,
    SQS_ENDPOINT: undefined,
    LCS_TOKEN_KEY_FILE: undefined,
  });
  const where = process.env.AWS_REGION ?? 'the default region';
  const description = tableName ? `table ${tableName} in ${where}` : `bucket ${dataBucket ?? '(none)'} in ${where}`;
  return {
    kind: 'aws',
    description,
    usagePlanId,
    kmsKeyId,
    dataBucket,
    jobsQueueUrl: outputs.JobsQueueUrl,
    deadLetterQueueUrl: outputs.JobsDeadLetterQueueUrl,
    async close() {},
  };
}

/** Outputs of one or more stacks (the stateful and API stacks may each hold some). */
export async function readStackOutputs(stacks: string[], region?: string): Promise<{ outputs: Record<string, string>; region: string }> {
  const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const client = new CloudFormationClient(region ? { region } : {});
  try {
    const resolvedRegion = await client.config.region();
    const all = new Map<string, string>();
    for (const stackName of stacks) {
      const out = await client.send(new DescribeStacksCommand({ StackName: stackName })).catch((err: Error) => {
        throw err.name === 'ValidationError' ? new Error(`stack ${stackName} not found in ${resolvedRegion}`) : err;
      });
      for (const o of out.Stacks?.[0]?.Outputs ?? []) if (o.OutputKey && o.OutputValue) all.set(o.OutputKey, o.OutputValue);
    }
    const outputs: Record<string, string> = {};
    for (const name of STACK_OUTPUTS) {
      // An output defined inside a construct gets a path prefix and a hash suffix from CDK.
      const value = all.get(name) ?? [...all].find(([key]) => new RegExp(`${name}[0-9A-F]{8}$`).test(key))?.[1];
      if (value) outputs[name] = value;
    }
    return { outputs, region: resolvedRegion };
  } finally {
    client.destroy();
  }
}

/** fauxqs (the embedded S3) uses node:sqlite, which Node 22 flags as experimental on every start. */
function silenceSqliteWarning(): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name === 'ExperimentalWarning' && /SQLite/i.test(warning.message)) return;
    process.stderr.write(`${warning.name}: ${warning.message}\n`);
  });
}
