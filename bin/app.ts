/**
 * CDK app entry (`cdk.json` runs `npx tsx bin/app.ts`): settings from lcs.config.json and `-c`
 * context, the stateful, jobs and API stacks, cdk-nag AwsSolutions checks. See lib/app.ts.
 */
import { createApp } from '../lib/app';

createApp().app.synth();
