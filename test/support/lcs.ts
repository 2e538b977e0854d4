import { execFile } from 'node:child_process';
import type { ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import { type Loopback, startLoopback } from './loopback';

/**
 * The real `lcs` command line, run as a child process the way an operator runs it, and a
 * CloudFormation stand-in for its `--stack` options (DescribeStacks answering the given outputs).
 */
const root = resolve(__dirname, '..', '..');

export interface LcsRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `lcs <argv…>`; `env` is added to this process's environment (stand-in endpoints, …). */
export function runLcs(argv: string[], env: Record<string, string> = {}): Promise<LcsRun> {
  const args = ['--import', 'tsx', join(root, 'bin', 'lcs.ts'), ...argv];
  return new Promise((done) => {
    execFile(process.execPath, args, { cwd: root, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** The shared test server's data folder, as `lcs … --data-dir` takes it. */
export const testDataDir = (): string[] => ['--data-dir', process.env.LCS_TEST_DATA_DIR as string];

/**
 * Answers CloudFormation's DescribeStacks from `outputsOf` (stack name → outputs); an unknown
 * stack gets the ValidationError CloudFormation sends.
 */
export function describeStacksAnswer(body: URLSearchParams, res: ServerResponse, outputsOf: Record<string, Record<string, string>>): void {
  res.setHeader('content-type', 'text/xml');
  const outputs = outputsOf[body.get('StackName') ?? ''];
  if (body.get('Action') !== 'DescribeStacks' || !outputs) {
    res.statusCode = 400;
    res.end(
      `<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id ${body.get('StackName')} does not exist</Message></Error><RequestId>1</RequestId></ErrorResponse>`,
    );
    return;
  }
  const members = Object.entries(outputs)
    .map(([k, v]) => `<member><OutputKey>${k}</OutputKey><OutputValue>${v}</OutputValue></member>`)
    .join('');
  res.end(
    `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member><StackName>${body.get('StackName')}</StackName>` +
      `<StackStatus>CREATE_COMPLETE</StackStatus><CreationTime>2026-01-01T00:00:00Z</CreationTime><Outputs>${members}</Outputs></member></Stacks></DescribeStacksResult>` +
      '<ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></DescribeStacksResponse>',
  );
}

/** A loopback CloudFormation that only answers DescribeStacks. */
export function cloudFormationStandIn(outputsOf: Record<string, Record<string, string>>): Promise<Loopback> {
  return startLoopback((req, res) => describeStacksAnswer(new URLSearchParams(req.body), res, outputsOf));
}
