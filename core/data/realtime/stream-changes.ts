import type { Backtest } from '../../domain/backtests/types';
import type { LiveDeployment } from '../../domain/live/types';
import { fromItem } from '../table/item';
import { type AttributeValue, fromStreamImage } from '../table/stream-image';

/** What a stream image of the table is, for the real-time publisher: a backtest, a live deployment, or neither. */
export type WatchedEntity = { kind: 'backtest'; value: Backtest } | { kind: 'live'; value: LiveDeployment };

export function watchedEntity(image: Record<string, AttributeValue> | undefined): WatchedEntity | undefined {
  if (!image) return undefined;
  const item = fromStreamImage(image);
  if (item.type === 'Backtest') return { kind: 'backtest', value: fromItem<Backtest>(item) };
  if (item.type === 'LiveDeployment') return { kind: 'live', value: fromItem<LiveDeployment>(item) };
  return undefined;
}
