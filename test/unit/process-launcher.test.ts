import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SEEDED_FOLDERS, seedFromImage } from '../../local/lean-data';
import { containerCleanup, dockerNetwork, leanApiUrl, leanContainerName } from '../../local/process-launcher';
import { LEAN_DATA_FIXTURE } from '../support/lean-data';

/** Local mode: the API address LEAN gets, depending on where LEAN runs. */
test('LEAN on the host, or in a container on Linux (host network), uses the address as it is', () => {
  expect(leanApiUrl('http://localhost:5612/api/v2/', false, 'darwin')).toBe('http://localhost:5612/api/v2/');
  expect(leanApiUrl('http://localhost:5612/api/v2/', true, 'linux')).toBe('http://localhost:5612/api/v2/');
  expect(dockerNetwork('linux').flags).toBe('--network host');
});

test('in a Docker Desktop container (macOS, Windows) a loopback address becomes host.docker.internal', () => {
  expect(leanApiUrl('http://localhost:5612/api/v2/', true, 'darwin')).toBe('http://host.docker.internal:5612/api/v2/');
  expect(leanApiUrl('http://127.0.0.1:5612/api/v2/', true, 'win32')).toBe('http://host.docker.internal:5612/api/v2/');
  // A real host name is left alone.
  expect(leanApiUrl('http://build-box.lan:5612/api/v2/', true, 'darwin')).toBe('http://build-box.lan:5612/api/v2/');
  expect(dockerNetwork('darwin').flags).toBe('--add-host=host.docker.internal:host-gateway');
});

describe('LEAN in Docker', () => {
  test("the job's container has a name, and is removed by it and its files given back to this user afterwards", () => {
    const name = leanContainerName('abc-123_x');
    expect(name).toBe('lcs-lean-abc-123_x');
    expect(containerCleanup(name, ['/jobs/abc', '/data'], { uid: 1000, gid: 1000 })).toEqual([
      ['rm', '-f', 'lcs-lean-abc-123_x'],
      ['run', '--rm', '-v', '/jobs/abc:/jobs/abc', '-v', '/data:/data', '--entrypoint', 'chown', expect.any(String), '-R', '1000:1000', '/jobs/abc', '/data'],
    ]);
    // Running as root already: nothing to give back.
    expect(containerCleanup(name, ['/jobs/abc'], { uid: 0, gid: 0 })).toEqual([['rm', '-f', name]]);
  });

  test("the local data folder is seeded from the image's /Lean/Data once per image id", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lcs-seed-'));
    const calls = join(dir, 'calls.log');
    const idFile = join(dir, 'image-id');
    writeFileSync(idFile, 'sha256:one');
    // A stand-in docker client: the image's /Lean/Data is the test fixture.
    const client = join(dir, 'docker.mjs');
    writeFileSync(
      client,
      [
        '#!/usr/bin/env node',
        "import { appendFileSync, cpSync, existsSync, readFileSync } from 'node:fs';",
        'const args = process.argv.slice(2);',
        `appendFileSync(${JSON.stringify(calls)}, args.join(' ') + '\\n');`,
        `if (args[0] === 'image') { const id = readFileSync(${JSON.stringify(idFile)}, 'utf8'); console.log(id); process.exit(id === 'none' ? 1 : 0); }`,
        "if (args[0] === 'pull') { console.error('pull refused in this test'); process.exit(1); }",
        "if (args[0] === 'cp') {",
        `  const from = ${JSON.stringify(LEAN_DATA_FIXTURE)} + args[1].slice(args[1].indexOf(':/Lean/Data') + ':/Lean/Data'.length);`,
        "  if (!existsSync(from)) { console.error('no such path ' + from); process.exit(1); }",
        '  cpSync(from, args[2], { recursive: true });',
        '}',
      ].join('\n'),
    );
    chmodSync(client, 0o755);
    const target = join(dir, 'lean-data');
    expect(await seedFromImage(target, 'quantconnect/lean:test', client)).toBe(true);
    for (const folder of SEEDED_FOLDERS) expect(readdirSync(join(target, folder))).toEqual(readdirSync(join(LEAN_DATA_FIXTURE, folder)));
    const log = readFileSync(calls, 'utf8');
    expect(log).toMatch(/^create --name (lcs-data-[0-9a-f]+) quantconnect\/lean:test$/m);
    expect(log).toMatch(/^rm -f lcs-data-[0-9a-f]+$/m);
    // The same image: not copied again. A new image id: copied again.
    expect(await seedFromImage(target, 'quantconnect/lean:test', client)).toBe(false);
    writeFileSync(idFile, 'sha256:two');
    expect(await seedFromImage(target, 'quantconnect/lean:test', client)).toBe(true);
    // No image here: at start-up (no pull) nothing happens; at a launch the pull is tried and its error told.
    writeFileSync(idFile, 'none');
    expect(await seedFromImage(join(dir, 'other'), 'quantconnect/lean:test', client, { pull: false })).toBe(false);
    await expect(seedFromImage(join(dir, 'other'), 'quantconnect/lean:test', client)).rejects.toThrow(
      'docker pull quantconnect/lean:test failed: pull refused in this test',
    );
    rmSync(dir, { recursive: true, force: true });
  }, 30_000); // a dozen docker-client processes: slow on a busy machine
});
