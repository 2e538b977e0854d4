#!/usr/bin/env node
// A stand-in for `dotnet build <csproj> [-p:Name=Value ...]` in tests (no .NET here). It fails
// like the C# compiler when a .cs file under the project folder contains FAKE_BUILD_ERROR
// (`<file>(<line>,<col>): error CS1002: ; expected [<csproj>]`, printed during the build and
// again in the summary, as MSBuild does); otherwise it writes `<AssemblyName>.dll` into
// OutputPath and prints "Build succeeded.". No dependencies.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

const args = process.argv.slice(2);
if (args[0] !== 'build') {
  console.error(`fake-dotnet: only "build" is supported (got: ${args.join(' ')})`);
  process.exit(2);
}
const csproj = resolve(args.find((a, i) => i > 0 && !a.startsWith('-')) ?? '');
const properties = Object.fromEntries(
  args
    .filter((a) => a.startsWith('-p:'))
    .map((a) => {
      const [name, ...value] = a.slice(3).split('=');
      return [name, value.join('=')];
    }),
);
let project;
try {
  project = readFileSync(csproj, 'utf8');
} catch {
  console.log(`MSBUILD : error MSB1009: Project file does not exist.`);
  console.log(`Switch: ${csproj}`);
  process.exit(1);
}
const assembly = /<AssemblyName>([^<]+)<\/AssemblyName>/.exec(project)?.[1] ?? basename(csproj, '.csproj');
const root = dirname(csproj);

function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'bin' || e.name === 'obj' ? [] : sources(path);
    return e.name.endsWith('.cs') ? [path] : [];
  });
}

console.log('  Determining projects to restore...');
console.log(`  Restored ${csproj} (in 12 ms).`);
const errors = [];
for (const file of sources(root).sort()) {
  readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .forEach((text, i) => {
      const col = text.indexOf('FAKE_BUILD_ERROR');
      if (col >= 0) errors.push(`${file}(${i + 1},${col + 1}): error CS1002: ; expected [${csproj}]`);
    });
}
if (errors.length) {
  for (const e of errors) console.log(e);
  console.log('');
  console.log('Build FAILED.');
  console.log('');
  for (const e of errors) console.log(e);
  console.log('    0 Warning(s)');
  console.log(`    ${errors.length} Error(s)`);
  process.exit(1);
}
const out = resolve(root, properties.OutputPath ?? 'bin/Debug');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, `${assembly}.dll`), `fake assembly ${assembly}\n`);
console.log(`  ${assembly} -> ${join(out, `${assembly}.dll`)}`);
console.log('');
console.log('Build succeeded.');
console.log('    0 Warning(s)');
console.log('    0 Error(s)');
