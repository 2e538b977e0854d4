import { fmtNumber } from '../format';
import type { OptimizationPoint } from './optimization-stats';

/**
 * The grid of a two-parameter optimization as an SVG: one cell per parameter pair, coloured by the
 * target statistic from worst (red) to best (green) in the direction of the optimization, failed
 * points hatched grey, the best point outlined and starred. Each cell is an image with its values
 * as its accessible name and tooltip, and carries them in data attributes for tests.
 */
const CELL_W = 72;
const CELL_H = 40;
const LEFT = 64;
const TOP = 38;

const numeric = (a: string, b: string) => Number(a) - Number(b) || a.localeCompare(b);

export function HeatMap(props: {
  points: OptimizationPoint[];
  xName: string;
  yName: string;
  targetIndex: number;
  targetName: string;
  extremum: 'min' | 'max';
  bestId: string | null;
}) {
  const { points, xName, yName, targetIndex } = props;
  const xs = [...new Set(points.map((p) => p.parameterSet[xName] ?? ''))].sort(numeric);
  const ys = [...new Set(points.map((p) => p.parameterSet[yName] ?? ''))].sort(numeric);
  const ok = points.filter((p) => p.exitCode === 0 && p.progress >= 1);
  const values = ok.map((p) => p.statistics[targetIndex] ?? 0);
  const low = Math.min(...values);
  const high = Math.max(...values);
  const score = (v: number) => {
    const t = high > low ? (v - low) / (high - low) : 1;
    return props.extremum === 'max' ? t : 1 - t;
  };
  const width = LEFT + xs.length * CELL_W + 8;
  const height = TOP + ys.length * CELL_H + 8;
  return (
    <figure class="heatmap-figure">
      {/* biome-ignore lint/a11y/useSemanticElements: an SVG cannot be a fieldset; the group names the grid whose cells are images. */}
      <svg
        class="heatmap"
        data-testid="heatmap"
        viewBox={`0 0 ${width} ${height}`}
        width={width}
        height={height}
        role="group"
        aria-label={`${props.targetName} by ${xName} (columns) and ${yName} (rows)`}
      >
        <defs>
          <pattern id="failed-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
            <rect width="6" height="6" class="heat-failed" />
            <line x1="0" y1="0" x2="0" y2="6" class="heat-hatch" />
          </pattern>
        </defs>
        <text x={LEFT + (xs.length * CELL_W) / 2} y={12} class="heat-axis" text-anchor="middle">
          {xName}
        </text>
        {xs.map((x, i) => (
          <text key={`x${x}`} x={LEFT + i * CELL_W + CELL_W / 2} y={TOP - 4} class="heat-axis" text-anchor="middle">
            {x}
          </text>
        ))}
        {ys.map((y, j) => (
          <text key={`y${y}`} x={LEFT - 6} y={TOP + j * CELL_H + CELL_H / 2 + 4} class="heat-axis" text-anchor="end">
            {yName} {y}
          </text>
        ))}
        {points.map((p) => {
          const x = p.parameterSet[xName] ?? '';
          const y = p.parameterSet[yName] ?? '';
          const failed = p.exitCode !== 0;
          const pending = !failed && p.progress < 1;
          const value = p.statistics[targetIndex];
          const best = p.id === props.bestId;
          const text = failed ? 'failed' : pending ? 'running' : fmtNumber(value, 3);
          const label = `${xName} ${x}, ${yName} ${y}: ${props.targetName} ${text}${best ? ', best' : ''}`;
          // Light cells in both schemes, so the dark text on them keeps its contrast.
          const fill = failed ? 'url(#failed-hatch)' : pending ? undefined : `hsl(${Math.round(score(value ?? 0) * 125)} 70% 78%)`;
          const cx = LEFT + xs.indexOf(x) * CELL_W;
          const cy = TOP + ys.indexOf(y) * CELL_H;
          return (
            // biome-ignore lint/a11y/noInteractiveElementToNoninteractiveRole: an SVG <g> is not interactive here; role img gives the cell its label.
            <g
              key={p.id}
              role="img"
              aria-label={label}
              class={best ? 'heat-cell best' : 'heat-cell'}
              data-x={x}
              data-y={y}
              data-value={failed || pending ? '' : String(value)}
              data-best={best ? 'true' : undefined}
            >
              <title>{label}</title>
              <rect x={cx + 1} y={cy + 1} width={CELL_W - 2} height={CELL_H - 2} rx="3" fill={fill} class={pending ? 'heat-pending' : undefined} />
              <text x={cx + CELL_W / 2} y={cy + CELL_H / 2 + 4} text-anchor="middle" class={pending ? 'heat-value heat-running' : 'heat-value'}>
                {best ? `★ ${text}` : text}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption class="muted">
        {props.targetName}: {props.extremum === 'max' ? 'green is higher (better), red lower' : 'green is lower (better), red higher'}; ★ marks the best point.
      </figcaption>
    </figure>
  );
}
