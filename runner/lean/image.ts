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
