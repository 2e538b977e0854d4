import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * LEAN's engine log (lean-runtime §4.1): `log.txt` in the results folder, opened for append, one
 * entry per line as `<ISO-8601 UTC, 7 fraction digits> TRACE:: / ERROR:: <text>`; an entry may span
 * several lines (stack traces, the STATISTICS block). The same text goes to the console stamped
 * `yyyyMMdd HH:mm:ss.fff`, errors on stderr. Algorithm output (`Debug:`/`Log:`) is also kept for
 * `<id>-log.txt`, stamped with the algorithm's clock.
 */
export function openEngineLog(resultsDir) {
  const fd = openSync(join(resultsDir, 'log.txt'), 'a');
  const algorithmLines = [];
  let open = true;

  const entry = (level, text) => {
    const now = new Date();
    const iso = now.toISOString();
    if (open) writeSync(fd, `${iso.slice(0, 23)}0000Z ${level}:: ${text}\n`);
    const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)} ${iso.slice(11, 23)}`;
    const stream = level === 'ERROR' ? process.stderr : process.stdout;
    stream.write(`${stamp} ${level}:: ${text}\n`);
  };

  return {
    trace: (text) => entry('TRACE', text),
    error: (text) => entry('ERROR', text),
    /** An algorithm `Debug(...)`/`Log(...)` call at algorithm time `algorithmTime` (unix seconds, algorithm zone). */
    algorithm(kind, text, algorithmTime) {
      entry('TRACE', `${kind}: ${text}`);
      algorithmLines.push(`${algorithmStamp(algorithmTime)} ${text}`);
    },
    statistics(statistics) {
      const lines = Object.entries(statistics).map(([name, value]) => `STATISTICS:: ${name} ${value}`);
      entry('TRACE', `\n${lines.join('\n')}`);
    },
    algorithmLog: () => (algorithmLines.length ? `${algorithmLines.join('\n')}\n` : ''),
    close() {
      open = false;
      closeSync(fd);
    },
  };
}

/** `yyyy-MM-dd HH:mm:ss` of a wall-clock time that is encoded as if it were UTC. */
export function algorithmStamp(wallSeconds) {
  return new Date(wallSeconds * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

/** LEAN's invariant US format, `M/d/yyyy h:mm:ss AM`, of a wall-clock time encoded as if it were UTC. */
export function usDateTime(wallSeconds) {
  const d = new Date(wallSeconds * 1000);
  const hours = d.getUTCHours();
  const twelve = hours % 12 === 0 ? 12 : hours % 12;
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${twelve}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${hours < 12 ? 'AM' : 'PM'}`;
}

/** `MM/dd/yyyy`, as in LEAN's `Dates: Start: … End: …` line. */
export function usDate(wallSeconds) {
  const d = new Date(wallSeconds * 1000);
  const pad = (n) => String(n).padStart(2, '0');
  return `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${d.getUTCFullYear()}`;
}
