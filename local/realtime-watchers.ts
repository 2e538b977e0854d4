import { backtestRepository } from '../core/data/backtests/backtest-repository';
import { deploymentRepository } from '../core/data/live/deployment-repository';
import type { LiveDeployment } from '../core/domain/live/types';
import { backtestMessage, type ServerMessage, type Topic, topicKey } from '../core/domain/realtime/protocol';
import { liveUpdate } from '../core/domain/realtime/updates';
import { logger } from '../core/shared/logger';

/**
 * Where the local server's pushed updates come from. The runner is a child process that writes
 * the table itself (as in AWS), so the server cannot hook the write; DynamoDB Local's stream
 * would need a client this project does not ship. Instead each watched entity has ONE read loop,
 * shared by all its subscribers, at the interval below (never under a second), started by its
 * first subscriber and stopped by its last, or when the entity has ended. A message goes out only
 * when what it would say changed. AWS reads the table's stream instead (lib/constructs/realtime-api.ts).
 */
export const WATCH_INTERVAL_MS = Math.max(1000, Number(process.env.LCS_REALTIME_POLL_MS ?? 1000));

export type Deliver = (message: ServerMessage) => void;

interface Watch {
  topic: Topic;
  subscribers: Set<Deliver>;
  timer?: NodeJS.Timeout;
  /** The text last delivered: nothing is sent twice. */
  lastText?: string;
  lastLive?: LiveDeployment;
  ended: boolean;
  reading: boolean;
}

export class TopicWatchers {
  private readonly watches = new Map<string, Watch>();

  constructor(private readonly intervalMs = WATCH_INTERVAL_MS) {}

  /**
   * Adds a subscriber. `current` is the state the subscription was answered with: the loop
   * starts from it, so the first change after it is the first message.
   */
  add(topic: Topic, deliver: Deliver, current: ServerMessage | undefined, currentLive?: LiveDeployment): void {
    const key = topicKey(topic);
    let watch = this.watches.get(key);
    if (!watch) {
      watch = { topic, subscribers: new Set(), ended: false, reading: false, lastLive: currentLive };
      if (current) watch.lastText = JSON.stringify(current);
      this.watches.set(key, watch);
    }
    watch.subscribers.add(deliver);
    const started = watch;
    if (!started.timer && !(current && 'final' in current && current.final)) {
      started.timer = setInterval(() => void this.tick(key, started), this.intervalMs);
      started.timer.unref();
    }
  }

  remove(topic: Topic, deliver: Deliver): void {
    const key = topicKey(topic);
    const watch = this.watches.get(key);
    if (!watch) return;
    watch.subscribers.delete(deliver);
    if (watch.subscribers.size === 0) this.stop(key, watch);
  }

  get size(): number {
    return this.watches.size;
  }

  stopAll(): void {
    for (const [key, watch] of this.watches) this.stop(key, watch);
  }

  private stop(key: string, watch: Watch): void {
    clearInterval(watch.timer);
    watch.timer = undefined;
    this.watches.delete(key);
  }

  private async tick(key: string, watch: Watch): Promise<void> {
    // A slow read (a busy machine) is not overlapped by the next tick.
    if (watch.reading || watch.ended) return;
    watch.reading = true;
    try {
      const message = await this.read(watch);
      if (!message) return;
      const text = JSON.stringify(message);
      if (text === watch.lastText) return;
      watch.lastText = text;
      for (const deliver of watch.subscribers) deliver(message);
      // A backtest never changes after its final status; a project's live topic goes on (a new deployment).
      if (message.type === 'backtest' && message.final) {
        watch.ended = true;
        clearInterval(watch.timer);
      }
    } catch (err) {
      logger.warn('real-time read failed; retried at the next tick', { topic: key, error: err as Error });
    } finally {
      watch.reading = false;
    }
  }

  private async read(watch: Watch): Promise<ServerMessage | undefined> {
    const t = watch.topic;
    if (t.topic === 'backtest') {
      const backtest = await backtestRepository.get(t.projectId, t.backtestId);
      return backtest && backtestMessage(backtest);
    }
    const deployment = await deploymentRepository.latest(t.projectId);
    if (!deployment) return undefined;
    const before = watch.lastLive;
    // Unchanged since the last read: nothing to say (and no result files to read).
    if (before && before.deployId === deployment.deployId && before.heartbeat === deployment.heartbeat && before.status === deployment.status) return undefined;
    watch.lastLive = deployment;
    return liveUpdate(before, deployment);
  }
}
