import { qcDate } from '../../shared/dates';
import { AppError } from '../../shared/errors';
import type { LiveDeployment } from './types';

/**
 * `live/read` (contract §3.8): LEAN's LiveAlgorithmResultsJsonConverter reads these twelve keys by
 * exact name and fails on a missing one or a null `cloneId`/`launched`/`public`/`success`, so
 * they come first and are always present; the envelope puts `success` (and `errors`) last.
 */
export function liveReadView(d: LiveDeployment) {
  return {
    message: d.error ?? '',
    status: d.status,
    deployId: d.deployId,
    cloneId: 0,
    launched: qcDate(d.launched),
    stopped: d.stopped ? qcDate(d.stopped) : null,
    brokerage: d.brokerage,
    securityTypes: '',
    projectName: d.projectName,
    datacenter: 'local',
    public: false,
    projectId: d.projectId,
    isPublicStreaming: false,
    files: [],
    runtimeStatistics: d.runtimeStatistics,
    serverStatistics: {},
    // Chart names only: `live/chart/read` serves each one down-sampled.
    charts: Object.fromEntries(d.chartNames.map((name) => [name, { name, series: {} }])),
    node: { id: d.nodeId, name: d.nodeName, sku: d.sku },
    automaticRedeploy: d.automaticRedeploy,
    restarts: d.restarts.map((r) => ({ ...r, at: qcDate(r.at) })),
    heartbeat: d.heartbeat ? qcDate(d.heartbeat) : null,
    error: d.error ?? null,
    stacktrace: d.stacktrace ?? null,
    ...(d.stopReason ? { stopReason: d.stopReason } : {}),
  };
}

/** `live/list` rows (contract §3.8). */
export function liveListView(d: LiveDeployment) {
  return {
    projectId: d.projectId,
    deployId: d.deployId,
    status: d.status,
    launched: qcDate(d.launched),
    stopped: d.stopped ? qcDate(d.stopped) : null,
    brokerage: d.brokerage,
    subscription: d.sku,
    equity: Number(String(d.runtimeStatistics.Equity ?? '0').replace(/[$,]/g, '')) || 0,
    environment: 'Live',
    description: d.projectName,
    error: d.error ?? '',
    leagues: [],
  };
}

export const NO_DEPLOYMENT_MESSAGE = 'No live deployment found for this project.';

/**
 * A project never deployed. lean-cli's `cloud status` prints the error, and its deploy path treats
 * "No live deployment found" as "nothing to resume" (lean-cli:`lean/components/util/live_utils.py`);
 * LEAN's converter still reads the twelve keys when `success` is false, and takes the errors from
 * the last property.
 */
export class NoLiveDeploymentError extends AppError {
  constructor(projectName: string) {
    super('not_found', NO_DEPLOYMENT_MESSAGE, [NO_DEPLOYMENT_MESSAGE], {
      message: NO_DEPLOYMENT_MESSAGE,
      status: null,
      deployId: '',
      cloneId: 0,
      launched: qcDate(0),
      stopped: null,
      brokerage: '',
      securityTypes: '',
      projectName,
      datacenter: '',
      public: false,
    });
  }
}
