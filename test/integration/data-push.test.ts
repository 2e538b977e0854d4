import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { zipSync } from 'fflate';
import { layoutWarning } from '../../cli/data/layout';
import { pushFiles, sha256File } from '../../cli/data/uploader';
import { walkFolder } from '../../cli/data/walk';
import { cloudFormationStandIn, type LcsRun, runLcs, testDataDir } from '../support/lcs';

/**
 * `lcs data push | ls | rm` end to end: the real CLI as a subprocess against the test server's
 * storage (LCS_TEST_DATA_DIR), each object's bytes read back from the data bucket.
 */
jest.setTimeout(180_000);

const root = resolve(__dirname, '..', '..');
const bucket = process.env.DATA_BUCKET_NAME as string;
const s3 = new S3Client({
  region: 'us-east-1',
  endpoint: process.env.S3_ENDPOINT,
  forcePathStyle: true,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});

type Run = LcsRun;

function lcs(args: string[], target = testDataDir(), env: Record<string, string> = {}): Promise<Run> {
  return runLcs(['data', ...args, ...target], env);
}

async function push(folder: string): Promise<Run> {
  const run = await lcs(['push', folder, '--quiet', '--multipart-threshold', '6', '--json']);
  if (run.code !== 0) throw new Error(`push failed (${run.code}): ${run.stderr}`);
  return run;
}

const summaryOf = (run: Run) => JSON.parse(run.stdout) as { uploaded: number; uploadedBytes: number; skipped: number };

async function bytesOf(key: string): Promise<Buffer> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
}

async function keysUnder(prefix: string): Promise<string[]> {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key as string).sort();
}

// Every run pushes under its own top folder so the shared test bucket never collides.
const top = `t${randomBytes(4).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'lcs-data-push-'));
const folder = join(dir, 'data');
const files: Record<string, Buffer> = {
  [`${top}/equity/usa/daily/spy.zip`]: randomBytes(3000),
  [`${top}/equity/usa/daily/aapl.zip`]: randomBytes(5000),
  [`${top}/equity/usa/map_files/map_files_20240101.zip`]: randomBytes(20_000),
  [`${top}/forex/oanda/minute/eurusd/20131007_quote.zip`]: randomBytes(1234),
  [`${top}/market-hours/market-hours-database.json`]: Buffer.from('{"entries":{}}\n'),
  [`${top}/symbol-properties/symbol-properties-database.csv`]: Buffer.from('market,symbol,type\n'),
  [`${top}/equity/usa/minute/spy/20240102_trade.zip`]: Buffer.alloc(0),
  // Above the 6 MB threshold given to the CLI: two 8 MB-or-less parts.
  [`${top}/equity/usa/tick/spy/20240102_trade.zip`]: randomBytes(10 * 1024 * 1024 + 123),
};
const keys = Object.keys(files).sort();

beforeAll(() => {
  for (const [key, bytes] of Object.entries(files)) {
    mkdirSync(join(folder, key, '..'), { recursive: true });
    writeFileSync(join(folder, key), bytes);
  }
  // Not uploaded: dotfiles, dot-folders, symbolic links.
  writeFileSync(join(folder, top, '.DS_Store'), 'x');
  mkdirSync(join(folder, '.git'));
  writeFileSync(join(folder, '.git', 'HEAD'), 'ref');
  symlinkSync(join(folder, `${top}/equity/usa/daily/spy.zip`), join(folder, top, 'link.zip'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  s3.destroy();
});

test('push uploads every file under its relative path, multipart above the threshold, with its SHA-256', async () => {
  const first = summaryOf(await push(folder));
  expect(first).toMatchObject({ uploaded: keys.length, skipped: 0 });
  expect(await keysUnder(`${top}/`)).toEqual(keys);
  for (const key of keys) expect((await bytesOf(key)).equals(files[key] as Buffer)).toBe(true);
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: `${top}/equity/usa/tick/spy/20240102_trade.zip` }));
  expect(head.Metadata?.sha256).toBe(await sha256File(join(folder, top, 'equity/usa/tick/spy/20240102_trade.zip')));
});

test('a second push skips everything; a changed file and a deleted object are the only uploads', async () => {
  expect(summaryOf(await push(folder))).toMatchObject({ uploaded: 0, skipped: keys.length });

  // Same size, different bytes: only the hash tells them apart.
  const changed = `${top}/equity/usa/daily/spy.zip`;
  files[changed] = randomBytes(3000);
  writeFileSync(join(folder, changed), files[changed] as Buffer);
  const deleted = `${top}/forex/oanda/minute/eurusd/20131007_quote.zip`;
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: deleted }));

  expect(summaryOf(await push(folder))).toMatchObject({ uploaded: 2, skipped: keys.length - 2 });
  expect((await bytesOf(changed)).equals(files[changed] as Buffer)).toBe(true);
  expect((await bytesOf(deleted)).equals(files[deleted] as Buffer)).toBe(true);
});

test('an object uploaded without the hash (by another tool) is uploaded again', async () => {
  const key = `${top}/equity/usa/daily/aapl.zip`;
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: files[key] }));
  expect(summaryOf(await push(folder))).toMatchObject({ uploaded: 1, skipped: keys.length - 1 });
});

test('after an interrupted push, a re-run uploads only what is missing', async () => {
  const other = mkdtempSync(join(dir, 'partial-'));
  const sub = `p${randomBytes(3).toString('hex')}`;
  for (let i = 0; i < 12; i++) {
    mkdirSync(join(other, sub, 'equity/usa/daily'), { recursive: true });
    writeFileSync(join(other, sub, `equity/usa/daily/s${i}.zip`), randomBytes(2000 + i));
  }
  const all = await walkFolder(other);
  // The first five made it before the interruption.
  await pushFiles({
    client: s3,
    bucket,
    files: all.slice(0, 5),
    concurrency: 2,
  });
  // An interruption through the abort signal stops the run without leaving partial objects.
  const aborted = new AbortController();
  aborted.abort();
  await expect(pushFiles({ client: s3, bucket, files: all.slice(5), signal: aborted.signal })).rejects.toThrow('interrupted');

  const rerun = summaryOf(await push(other));
  expect(rerun).toMatchObject({ uploaded: 7, skipped: 5 });
  expect((await keysUnder(`${sub}/`)).length).toBe(12);
});

test('a killed push leaves no partial objects, and the re-run completes it', async () => {
  const big = mkdtempSync(join(dir, 'killed-'));
  const sub = `k${randomBytes(3).toString('hex')}`;
  mkdirSync(join(big, sub));
  const bytes = randomBytes(20 * 1024 * 1024);
  writeFileSync(join(big, sub, 'big.zip'), bytes);
  const argv = ['--import', 'tsx', join(root, 'bin', 'lcs.ts'), 'data', 'push', big, '--quiet', '--multipart-threshold', '6'];
  const child = execFile(process.execPath, [...argv, '--data-dir', process.env.LCS_TEST_DATA_DIR as string], { cwd: root });
  const exited = new Promise((r) => child.on('exit', r));
  // Killed mid-upload (the CLI needs about a second to start), unless it finished already.
  await Promise.race([exited, new Promise((r) => setTimeout(r, 1500))]);
  child.kill('SIGKILL');
  await exited;
  const after = await keysUnder(`${sub}/`);
  // Either it finished in time (whole object) or nothing is visible.
  if (after.length) expect((await bytesOf(`${sub}/big.zip`)).equals(bytes)).toBe(true);
  const rerun = summaryOf(await push(big));
  expect(rerun.uploaded + rerun.skipped).toBe(1);
  expect((await bytesOf(`${sub}/big.zip`)).equals(bytes)).toBe(true);
});

test("a folder one level above LEAN's is pushed with a warning naming the folder to push; --prefix puts files under a folder", async () => {
  // `folder` holds <top>/equity/…: keys LEAN never reads.
  const again = await push(folder);
  expect(again.stderr).toContain(`lcs: warning: ${folder} has top-level folder ${top}, which LEAN never reads`);
  expect(again.stderr).toContain(`push ${folder}/${top} instead (it holds LEAN's equity, forex, market-hours, symbol-properties)`);
  // A LEAN data folder itself: no warning.
  expect(layoutWarning(await walkFolder(join(folder, top)), join(folder, top))).toBeUndefined();

  // A folder of daily zips: a warning without --prefix, the right keys with it.
  const zips = join(dir, 'zips');
  mkdirSync(zips);
  writeFileSync(join(zips, 'abc.zip'), 'a');
  writeFileSync(join(zips, 'xyz.zip'), 'x');
  expect(layoutWarning(await walkFolder(zips), zips)).toMatch(/has only files at its top level, which LEAN never reads .*--prefix <path>/);
  const prefix = `equity/usa/daily/${top}`;
  const prefixed = await lcs(['push', zips, '--prefix', `/${prefix}/`, '--quiet', '--json']);
  expect({ code: prefixed.code, stderr: prefixed.stderr }).toEqual({ code: 0, stderr: '' });
  expect(await keysUnder(`${prefix}/`)).toEqual([`${prefix}/abc.zip`, `${prefix}/xyz.zip`]);
  for (const bad of ['../equity', 'equity//usa', '.']) {
    const refused = await lcs(['push', zips, '--prefix', bad]);
    expect({ code: refused.code, stderr: refused.stderr.trim() }).toEqual({
      code: 1,
      stderr: expect.stringMatching(/--prefix.*must be a relative folder path/),
    });
  }
});

test('ls lists keys with sizes under a prefix, as text or JSON lines', async () => {
  const text = await lcs(['ls', `${top}/equity/usa/daily/`]);
  expect(text.code).toBe(0);
  expect(text.stdout).toMatch(/^\s+5000 {2}t[0-9a-f]+\/equity\/usa\/daily\/aapl\.zip$/m);
  expect(text.stdout).toContain('2 objects');
  const json = await lcs(['ls', `${top}/`, '--json']);
  const rows = json.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { key: string; size: number });
  expect(rows.map((r) => r.key).sort()).toEqual(keys);
  expect(rows.find((r) => r.key.endsWith('aapl.zip'))?.size).toBe(5000);
});

test('rm deletes one key, or a folder with --yes', async () => {
  const one = await lcs(['rm', `${top}/equity/usa/daily/spy.zip`]);
  expect(one).toMatchObject({ code: 0, stdout: 'deleted 1 object\n' });
  const refused = await lcs(['rm', `${top}/equity`]);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/^lcs: \d+ objects under t[0-9a-f]+\/equity\/; pass --yes to delete them all\n$/);
  const all = await lcs(['rm', `${top}/equity`, '--yes']);
  expect(all.code).toBe(0);
  expect(await keysUnder(`${top}/equity/`)).toEqual([]);
  expect(await keysUnder(`${top}/`)).toHaveLength(3);
  const missing = await lcs(['rm', `${top}/nothing-here`]);
  expect(missing).toMatchObject({ code: 1, stderr: `lcs: nothing in the data bucket at ${top}/nothing-here\n` });
});

test('a folder that does not exist, or a file, is one line and exit 1', async () => {
  const missing = await lcs(['push', join(dir, 'no-such-folder'), '--quiet']);
  expect(missing).toMatchObject({ code: 1, stderr: `lcs: folder ${join(dir, 'no-such-folder')} does not exist\n` });
  const file = await lcs(['push', join(folder, top, 'market-hours', 'market-hours-database.json'), '--quiet']);
  expect(file.code).toBe(1);
  expect(file.stderr).toMatch(/^lcs: .* is not a folder\n$/);
  expect(readFileSync(join(folder, top, '.DS_Store'), 'utf8')).toBe('x');
});

/**
 * `--stack`: the bucket named by the stack's DataBucketName output (a CloudFormation stand-in on
 * loopback), reached through the SDK's standard AWS_ENDPOINT_URL_S3.
 */
test('against a deployed stack: the DataBucketName output, or one line when the stack has none', async () => {
  const outputsOf: Record<string, Record<string, string>> = {
    'lcs-test-data': { TableName: 'lcs-test', DataBucketNameA1B2C3D4: bucket },
    'lcs-test-old': { TableName: 'lcs-test' },
  };
  const cloudFormation = await cloudFormationStandIn(outputsOf);
  try {
    const env = {
      AWS_ENDPOINT_URL_CLOUDFORMATION: cloudFormation.endpoint,
      AWS_ENDPOINT_URL_S3: process.env.S3_ENDPOINT as string,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    };
    const listed = await lcs(['ls', `${top}/market-hours/`], ['--stack', 'lcs-test-data', '--region', 'us-east-1'], env);
    expect(listed).toMatchObject({ code: 0 });
    expect(listed.stdout).toContain(`${top}/market-hours/market-hours-database.json`);
    const old = await lcs(['ls'], ['--stack', 'lcs-test-old', '--region', 'us-east-1'], env);
    expect(old).toMatchObject({ code: 1, stderr: 'lcs: no data bucket: the stack lcs-test-old has no DataBucketName output; pass --data-bucket\n' });
  } finally {
    await cloudFormation.close();
  }
});

test('map and factor zips LEAN could not read are refused before anything is uploaded; CSV-only folders get a note', async () => {
  const market = `m${randomBytes(3).toString('hex')}`;
  const make = (files: Record<string, string | Buffer>) => {
    const base = mkdtempSync(join(dir, 'aux-'));
    for (const [key, body] of Object.entries(files)) {
      mkdirSync(join(base, key, '..'), { recursive: true });
      writeFileSync(join(base, key), body);
    }
    return base;
  };
  const good = Buffer.from(zipSync({ 'spy.csv': new TextEncoder().encode('19980102,spy,P\n') }));
  const bad = make({
    [`equity/${market}/map_files/map_files_20240101.zip`]: Buffer.alloc(0),
    [`equity/${market}/factor_files/factor_files_20240101.zip`]: randomBytes(100),
    [`equity/${market}/map_files/factor_files_20240101.zip`]: good,
    [`option/${market}/map_files/map_files_20240101.zip`]: Buffer.from(zipSync({ 'readme.txt': new TextEncoder().encode('x') })),
    [`equity/${market}/daily/spy.zip`]: randomBytes(10),
  });
  const refused = await lcs(['push', bad, '--quiet']);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain(`equity/${market}/map_files/map_files_20240101.zip: empty`);
  expect(refused.stderr).toContain(`equity/${market}/factor_files/factor_files_20240101.zip: not a zip file`);
  expect(refused.stderr).toContain(`equity/${market}/map_files/factor_files_20240101.zip: a map_files folder holds map_files_<yyyyMMdd>.zip files only`);
  expect(refused.stderr).toContain(`option/${market}/map_files/map_files_20240101.zip: holds no <permtick>.csv files`);
  expect(await keysUnder(`equity/${market}/`)).toEqual([]);

  const fine = make({ [`equity/${market}/map_files/map_files_20240101.zip`]: good, [`equity/${market}/factor_files/spy.csv`]: '19980102,1,1,1\n' });
  const pushed = await lcs(['push', fine, '--quiet', '--json']);
  expect(pushed.code).toBe(0);
  expect(pushed.stderr).toContain(`lcs: note: equity/${market}/factor_files: CSV files but no factor_files_<yyyyMMdd>.zip`);
  expect(await keysUnder(`equity/${market}/`)).toEqual([`equity/${market}/factor_files/spy.csv`, `equity/${market}/map_files/map_files_20240101.zip`]);
});
