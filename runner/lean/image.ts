import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Where the quantconnect/lean image keeps what the runner starts (lean-runtime §1, §2.2;
 * Lean:`Dockerfile`, `DockerfileLeanFoundation`). They hold inside the runner image, which is
 * built `FROM` it; anywhere else (local mode, tests) the commands come from the runner settings.
 */
export const LEAN_IMAGE = {
  /** The launcher, run in its own folder: C# `algorithm-location` and live command files are relative to it. */
  launcher: { command: 'dotnet QuantConnect.Lean.Launcher.dll', cwd: '/Lean/Launcher/bin/Debug' },
  /** LEAN's report generator (QuantConnect.Report, what `lean report` runs). */
  report: { command: 'dotnet QuantConnect.Report.dll', cwd: '/Lean/Report/bin/Debug' },
  /** LEAN's own assemblies, which a C# algorithm is built against: the launcher's folder. */
  assembliesDir: '/Lean/Launcher/bin/Debug',
  /** LEAN's data root (`data-folder`), holding the image's market-hours and symbol-properties. */
  dataDir: '/Lean/Data',
  dotnet: 'dotnet',
  pip: 'python -m pip',
} as const;

/** The target framework LEAN master builds for; used only when the image does not say (see imageTargetFramework). */
const FALLBACK_TARGET_FRAMEWORK = 'net10.0';

/**
 * The .NET target framework of the LEAN build in the image, for compiling C# algorithms against
 * its DLLs: the image is pinned by digest, so a hard-coded value drifts from it. Read from the
 * launcher's `QuantConnect.Lean.Launcher.runtimeconfig.json` next to the DLLs (the SDK writes
 * `runtimeOptions.tfm`; the framework version gives it too), the same build lean-cli reads the
 * `target_framework` image label of (lean-runtime §1). Falls back to net10.0, saying so, when
 * the file is missing or unreadable (a build outside the image, with LEAN's DLLs elsewhere).
 */
export async function imageTargetFramework(leanBinDir: string = LEAN_IMAGE.assembliesDir): Promise<{ targetFramework: string; source: string }> {
  const file = join(leanBinDir, 'QuantConnect.Lean.Launcher.runtimeconfig.json');
  try {
    const options = (JSON.parse(await readFile(file, 'utf8')) as { runtimeOptions?: Record<string, unknown> }).runtimeOptions ?? {};
    if (typeof options.tfm === 'string' && /^net\d+\.\d+$/.test(options.tfm)) return { targetFramework: options.tfm, source: file };
    const frameworks = [options.framework, ...(Array.isArray(options.frameworks) ? options.frameworks : [])] as { name?: string; version?: string }[];
    const core = frameworks.find((f) => f?.name === 'Microsoft.NETCore.App' && typeof f.version === 'string');
    const version = core?.version ? /^(\d+)\.(\d+)/.exec(core.version) : null;
    if (version) return { targetFramework: `net${version[1]}.${version[2]}`, source: file };
  } catch {
    // missing or not JSON: the fallback below
  }
  return { targetFramework: FALLBACK_TARGET_FRAMEWORK, source: `fallback (${file} not readable)` };
}
