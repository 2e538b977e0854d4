import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type CommandFolder, containerCommandFolder, localCommandFolder } from '../../runner/live-commands';

/**
 * Where the live runner puts LEAN's command files and finds its answers (lean-runtime §6): LEAN's
 * working directory on this machine, or inside LEAN's Docker container in local mode with Docker
 * (issue 12 item 9), through `docker exec` — here a stand-in docker client whose containers are folders.
 */
const root = resolve(__dirname, '..', '..');
let dir: string;
let docker: string;
const CONTAINER = 'lcs-lean-live-L-1-abc';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lcs-live-commands-'));
  docker = join(dir, 'docker');
  writeFileSync(
    docker,
    `#!/bin/sh\nFAKE_DOCKER_ROOT='${join(dir, 'containers')}' exec '${process.execPath}' '${join(root, 'test', 'support', 'fake-docker.mjs')}' "$@"\n`,
  );
  chmodSync(docker, 0o755);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const folders: [string, () => { folder: CommandFolder; cwd: string }][] = [
  [
    'local working directory',
    () => {
      const cwd = join(dir, 'local');
      mkdirSync(cwd, { recursive: true });
      return { folder: localCommandFolder(cwd), cwd };
    },
  ],
  [
    "LEAN's container, through docker exec",
    () => {
      const cwd = join(dir, 'containers', CONTAINER);
      mkdirSync(cwd, { recursive: true });
      return { folder: containerCommandFolder(docker, CONTAINER), cwd };
    },
  ],
];

describe.each(folders)('%s', (_name, make) => {
  test('a command lands under its final name, whole, with no temporary file left; answers are listed, read and removed', async () => {
    const { folder, cwd } = make();
    const content = JSON.stringify({ $type: 'MyCommand', text: 'hello "quoted" $HOME `x`', Id: 'c1' });
    await folder.put('command-1-000000.json', 'tmp-c1.json', content);
    expect(readdirSync(cwd)).toEqual(['command-1-000000.json']);
    expect(readFileSync(join(cwd, 'command-1-000000.json'), 'utf8')).toBe(content);

    writeFileSync(join(cwd, 'result-command-c1.json'), '{"CommandName":"MyCommand","Success":true}');
    writeFileSync(join(cwd, 'log.txt'), 'not an answer');
    expect(await folder.results()).toEqual(['result-command-c1.json']);
    expect(JSON.parse((await folder.read('result-command-c1.json'))!)).toEqual({ CommandName: 'MyCommand', Success: true });
    await folder.remove('result-command-c1.json');
    expect(existsSync(join(cwd, 'result-command-c1.json'))).toBe(false);
    expect(await folder.results()).toEqual([]);
    expect(await folder.read('result-command-gone.json')).toBeUndefined();
  });
});

test('a container that is gone: no answers, and a command is not written (it stays queued for the next publish)', async () => {
  const folder = containerCommandFolder(docker, 'lcs-lean-not-running');
  expect(await folder.results()).toEqual([]);
  await expect(folder.put('command-2-000000.json', 'tmp-c2.json', '{}')).rejects.toThrow();
});

test('a file name that is not a plain name never reaches the shell', async () => {
  mkdirSync(join(dir, 'containers', CONTAINER), { recursive: true });
  const folder = containerCommandFolder(docker, CONTAINER);
  await expect(folder.put('x; rm -rf /', 'tmp.json', '{}')).rejects.toThrow(/not a command file name/);
});
