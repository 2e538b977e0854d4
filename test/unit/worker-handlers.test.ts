import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { dispatchJob } from '../../core/domain/jobs/job-dispatcher';
import { reconcileTaskEnd } from '../../core/domain/jobs/job-reconciler';
import type { JobMessage, TaskLauncher } from '../../core/ports/task-runner';
import { dispatcher } from '../../lambdas/workers/dispatcher.handler';
import { type EcsTaskStateChange, reconciler, type TaskStateEvent, taskEndOf } from '../../lambdas/workers/reconciler.handler';

/**
 * The dispatcher and reconciler handlers: event parsing and failure reporting. The domain
 * functions they call are tested against real storage elsewhere; here they are stand-ins that
 * record what they were given.
 */
jest.mock('../../core/domain/jobs/job-dispatcher', () => ({ dispatchJob: jest.fn() }));
jest.mock('../../core/domain/jobs/job-reconciler', () => ({ reconcileTaskEnd: jest.fn() }));

const dispatchMock = dispatchJob as jest.MockedFunction<typeof dispatchJob>;
const reconcileMock = reconcileTaskEnd as jest.MockedFunction<typeof reconcileTaskEnd>;

const launcher: TaskLauncher = { launch: jest.fn(), stop: jest.fn() };
const requeued: [JobMessage, number][] = [];
const requeue = async (message: JobMessage, delay: number) => {
  requeued.push([message, delay]);
};

const backtest: JobMessage = { kind: 'backtest', orgId: 'org1', projectId: 7, backtestId: 'b'.repeat(32), attempt: 1 };
const build: JobMessage = { kind: 'build', orgId: 'org1', projectId: 7, compileId: '7-abc', attempt: 1 };

function record(messageId: string, body: string): SQSRecord {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body,
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 's', ApproximateFirstReceiveTimestamp: '0' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:1:jobs',
    awsRegion: 'eu-west-1',
  };
}

beforeEach(() => {
  dispatchMock.mockReset();
  reconcileMock.mockReset();
  requeued.length = 0;
});

describe('dispatcher', () => {
  test('each record is dispatched with the launcher and a requeue that sends to the queue', async () => {
    dispatchMock.mockResolvedValue('started');
    const handle = dispatcher({ launcher, requeue });
    const out = await handle({ Records: [record('m1', JSON.stringify(backtest)), record('m2', JSON.stringify(build))] } as SQSEvent);
    expect(out).toEqual({ batchItemFailures: [] });
    expect(dispatchMock.mock.calls.map(([message]) => message)).toEqual([backtest, build]);
    const deps = dispatchMock.mock.calls[0]![1];
    expect(deps.launcher).toBe(launcher);
    await deps.requeue(backtest, 8);
    expect(requeued).toEqual([[backtest, 8]]);
  });

  test('a record that throws is reported alone; the others are done', async () => {
    dispatchMock.mockImplementation(async (message) => {
      if (message.kind === 'build') throw new Error('throttled');
      return 'started';
    });
    const out = await dispatcher({ launcher, requeue })({
      Records: [
        record('m1', JSON.stringify(backtest)),
        record('m2', JSON.stringify(build)),
        record('m3', JSON.stringify({ ...backtest, backtestId: 'c'.repeat(32) })),
      ],
    } as SQSEvent);
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: 'm2' }]);
    expect(dispatchMock).toHaveBeenCalledTimes(3);
  });

  test('a malformed body is a batch item failure (on to the dead-letter queue) and is never dispatched', async () => {
    dispatchMock.mockResolvedValue('started');
    const out = await dispatcher({ launcher, requeue })({
      Records: [record('bad-json', '{not json'), record('not-a-job', JSON.stringify({ kind: 'backtest', orgId: 'o' })), record('ok', JSON.stringify(backtest))],
    } as SQSEvent);
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: 'bad-json' }, { itemIdentifier: 'not-a-job' }]);
    expect(dispatchMock.mock.calls.map(([message]) => message)).toEqual([backtest]);
  });
});

describe('reconciler', () => {
  const TASK = 'arn:aws:ecs:eu-west-1:1:task/lcs-test-jobs/0123';
  function stopped(detail: Partial<EcsTaskStateChange> = {}, job: unknown = backtest): TaskStateEvent {
    return {
      version: '0',
      id: 'e1',
      'detail-type': 'ECS Task State Change',
      source: 'aws.ecs',
      account: '1',
      time: '2026-01-01T00:00:00Z',
      region: 'eu-west-1',
      resources: [TASK],
      detail: {
        clusterArn: 'arn:aws:ecs:eu-west-1:1:cluster/lcs-test-jobs',
        taskArn: TASK,
        lastStatus: 'STOPPED',
        stopCode: 'EssentialContainerExited',
        stoppedReason: 'Essential container in task exited',
        memory: '8192',
        containers: [{ name: 'runner', exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' }],
        overrides: { containerOverrides: [{ name: 'runner', environment: [{ name: 'LCS_JOB', value: JSON.stringify(job) }] }] },
        ...detail,
      },
    };
  }

  test('a stopped runner task becomes a TaskEnd: task ARN, the job from LCS_JOB, exit code, stop code, reasons, memory', async () => {
    reconcileMock.mockResolvedValue('failed');
    const outcome = await reconciler({ requeue })(stopped());
    expect(outcome).toBe('failed');
    expect(reconcileMock).toHaveBeenCalledTimes(1);
    const [end, deps, memory] = reconcileMock.mock.calls[0]!;
    expect(end).toEqual({
      taskRef: TASK,
      job: backtest,
      exitCode: 137,
      stopCode: 'EssentialContainerExited',
      reason: 'Essential container in task exited: OutOfMemoryError: Container killed due to memory usage',
    });
    expect(memory).toBe(8192);
    await deps.requeue(backtest, 0);
    expect(requeued).toEqual([[backtest, 0]]);
  });

  test('a Spot interruption without an exit code keeps the stop code and the task reason', () => {
    const parsed = taskEndOf(
      stopped({ stopCode: 'SpotInterruption', stoppedReason: 'Your Spot Task was interrupted.', containers: [{ name: 'runner' }] }).detail,
    );
    expect(parsed?.end).toEqual({ taskRef: TASK, job: backtest, stopCode: 'SpotInterruption', reason: 'Your Spot Task was interrupted.' });
  });

  test('events that are not STOPPED, or carry no job, are ignored', async () => {
    const handle = reconciler({ requeue });
    expect(await handle(stopped({ lastStatus: 'RUNNING' }))).toBe('ignored');
    expect(await handle(stopped({ overrides: { containerOverrides: [{ name: 'runner', environment: [] }] } }))).toBe('ignored');
    expect(await handle(stopped({ overrides: undefined }))).toBe('ignored');
    // A malformed job cannot become valid on a retry: dropped, not thrown.
    expect(await handle(stopped({}, { kind: 'backtest' }))).toBe('ignored');
    expect(reconcileMock).not.toHaveBeenCalled();
  });

  test('a live deployment task that died is counted as a restart; its removal by the scheduler is not', async () => {
    const deployId = `L-${'0f'.repeat(16)}`;
    const live = (stopCode: string) => stopped({ group: `service:live-${deployId}`, stopCode, overrides: undefined });
    expect(await reconciler({ requeue })(live('EssentialContainerExited'))).toBe('live-task-died');
    expect(await reconciler({ requeue })(live('SpotInterruption'))).toBe('live-task-died');
    expect(await reconciler({ requeue })(live('ServiceSchedulerInitiated'))).toBe('ignored');
    expect(await reconciler({ requeue })(stopped({ group: 'service:someone-else', overrides: undefined }))).toBe('ignored');
    expect(reconcileMock).not.toHaveBeenCalled();
  });

  test('a failing reconcile throws, so EventBridge/Lambda retry it (then the failure queue)', async () => {
    reconcileMock.mockRejectedValue(new Error('table unavailable'));
    await expect(reconciler({ requeue })(stopped())).rejects.toThrow('table unavailable');
  });
});
