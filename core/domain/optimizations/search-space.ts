import type { ParameterSet, Round, StepParameter } from './types';

/**
 * The points a search visits, as LEAN's optimizer defines them (Lean:`Optimizer/Strategies/`,
 * `Optimizer/Parameters/OptimizationStepParameterEnumerator.cs`): each parameter takes
 * `min + i·step` while that stays ≤ max, and the grid is every combination, the first parameter
 * varying slowest. Values are decimal texts, as LEAN hands parameters to the algorithm.
 */

/** Decimal text without binary noise (0.1 + 0.2 reads back as "0.3"). */
function decimalText(value: number): string {
  return String(Number(value.toPrecision(12)));
}

export function parameterValues(p: Pick<StepParameter, 'min' | 'max' | 'step'>): string[] {
  // LEAN's Estimate: floor((max - min) / step) + 1 values; the epsilon keeps 0.3/0.1 from reading 2.999….
  const count = Math.floor((p.max - p.min) / p.step + 1e-9) + 1;
  return Array.from({ length: Math.max(0, count) }, (_, i) => decimalText(p.min + i * p.step));
}

/** LEAN's GetTotalBacktestEstimate: the product of every parameter's value count. */
export function gridSize(parameters: readonly StepParameter[]): number {
  return parameters.reduce((total, p) => total * parameterValues(p).length, 1);
}

/** Point `index` of the grid, without building the grid (a 500-point grid is never held). */
export function gridPoint(parameters: readonly StepParameter[], index: number): ParameterSet {
  const set: ParameterSet = {};
  let rest = index;
  for (let i = parameters.length - 1; i >= 0; i--) {
    const p = parameters[i] as StepParameter;
    const values = parameterValues(p);
    set[p.name] = values[rest % values.length] as string;
    rest = Math.floor(rest / values.length);
  }
  return Object.fromEntries(parameters.map((p) => [p.name, set[p.name] as string]));
}

export function roundPoint(round: Round, index: number): ParameterSet {
  return round.sets ? (round.sets[index] as ParameterSet) : gridPoint(round.parameters, index);
}

/** Same values, whatever the text form ("10" and "10.0"): how an Euler round skips points already run. */
export function parameterSetKey(set: ParameterSet): string {
  return Object.keys(set)
    .sort()
    .map((k) => `${k}=${Number(set[k])}`)
    .join('&');
}

/** LEAN EulerSearchOptimizationStrategy's default segment amount. */
const SEGMENTS = 4;

/**
 * The next Euler round (EulerSearchOptimizationStrategy.PushNewResults): every parameter whose
 * step is still above its finest step gets step/4 (not below minStep) and the range
 * best ± 2·newStep clipped to its original bounds. Undefined when no parameter can be refined:
 * the search is over.
 */
export function refineAround(current: readonly StepParameter[], original: readonly StepParameter[], best: ParameterSet): StepParameter[] | undefined {
  if (!current.some((p) => p.step > p.minStep)) return undefined;
  return current.map((p) => {
    if (p.step <= p.minStep) return p;
    const bounds = original.find((o) => o.name === p.name) ?? p;
    const step = Math.max(p.minStep, p.step / SEGMENTS);
    const fractal = step * (SEGMENTS / 2);
    const centre = Number(best[p.name]);
    return { name: p.name, min: Math.max(bounds.min, centre - fractal), max: Math.min(bounds.max, centre + fractal), step, minStep: p.minStep };
  });
}
