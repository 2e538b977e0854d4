// A stand-in for the docker client's `exec` (test/unit/live-commands.test.ts): each "container" is
// a folder under FAKE_DOCKER_ROOT named like the container, and `docker exec [-i] NAME CMD ARGS…`
// runs CMD there (its working directory, as docker exec runs in the container's), stdin passed
// on when -i is given. A container without a folder answers as docker does when it is gone.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const [verb, ...rest] = process.argv.slice(2);
if (verb !== 'exec') {
  process.stderr.write(`fake docker: only exec is supported, not ${verb}\n`);
  process.exit(125);
}
const interactive = rest[0] === '-i';
const [name, command, ...args] = interactive ? rest.slice(1) : rest;
const dir = join(process.env.FAKE_DOCKER_ROOT ?? '', name ?? '');
if (!name || !existsSync(dir)) {
  process.stderr.write(`Error response from daemon: No such container: ${name}\n`);
  process.exit(1);
}
const result = spawnSync(command, args, { cwd: dir, stdio: [interactive ? 'inherit' : 'ignore', 'inherit', 'inherit'] });
process.exit(result.status ?? 1);
