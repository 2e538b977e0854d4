import { fields, table } from '../admin/output';
import type { StatusReport } from './job-status';

/** The plain-text report: the queues first, then one block per organization. */
/** `sqsEndpoint`: local mode's fauxqs address, which the AWS CLI must be told in the hint. */
export function formatStatus(report: StatusReport, sqsEndpoint?: string): string {
  const { queue, deadLetterQueue: dlq } = report;
  const lines = [
    `job system of ${report.target}`,
    '',
    fields([
      ['job queue', `${queue.visible} visible, ${queue.inFlight} in flight, ${queue.delayed} delayed`],
      ['dead-letter queue', `${dlq.visible} visible`],
    ]),
  ];
  if (dlq.visible > 0) {
    lines.push(
      `hint: ${dlq.visible} job message${dlq.visible === 1 ? '' : 's'} failed every delivery; read ${dlq.visible === 1 ? 'it' : 'them'} with`,
      `  aws sqs receive-message --queue-url ${dlq.url} --attribute-names All${sqsEndpoint ? ` --endpoint-url ${sqsEndpoint}` : ''}`,
      '  and see docs/operations.md (JobsDeadLettersAlarm) before moving them back.',
    );
  }
  if (report.organizations.length === 0) lines.push('', '(no organizations)');
  for (const org of report.organizations) {
    lines.push(
      '',
      `organization ${org.id} (${org.name})`,
      table(
        ['NODE', 'SKU', 'STATE', 'HELD BY', 'JOB', 'PROJECT', 'SINCE'],
        org.nodes.map((n) => [n.name, n.sku, n.state, n.busyWith?.kind, n.busyWith?.id, n.busyWith?.projectId, n.busyWith?.since]),
      ),
    );
    if (org.waiting.length) {
      lines.push(
        'waiting for a node:',
        table(
          ['KIND', 'JOB', 'PROJECT', 'SINCE'],
          org.waiting.map((w) => [w.kind, w.id, w.projectId, w.since]),
        ),
      );
    }
  }
  return lines.join('\n');
}
