/**
 * Every key of the single table is built here and nowhere else (design §6).
 *
 * | item              | PK                  | SK                 | GSI1PK              | GSI1SK         |
 * | organization      | ORG#<orgId>         | ORG                | ORGS                | <created>#<id> |
 * | membership        | ORG#<orgId>         | MEMBER#<userId>    |                     |                |
 * | membership mirror | USER#<userId>       | MEMBER#<orgId>     |                     |                |
 * | user              | USER#<userId>       | PROFILE            |                     |                |
 * | api token         | USER#<userId>       | TOKEN#<tokenId>    |                     |                |
 * | email claim       | EMAIL#<email>       | EMAIL              |                     |                |
 * | api key           | APIKEY#<keyId>      | APIKEY             | USERKEYS#<userId>   | <keyId>        |
 * | node              | ORG#<orgId>         | NODE#<nodeId>      |                     |                |
 * | job waiting for a node | ORG#<orgId>    | NODEWAIT#<jobId>   |                     |                |
 * | project           | PROJECT#<id>        | PROJECT            | ORGPROJECTS#<orgId> | <id, padded>   |
 * | project name      | ORG#<orgId>         | PROJECTNAME#<name> |                     |                |
 * | project file (legacy, read until the project's first write) | PROJECT#<id> | FILE#<name> |  |    |
 * | file pack         | PROJECT#<id>        | FILEPACK#<packId>  |                     |                |
 * | file write stage  | PROJECT#<id>        | FILESTAGE#<stageId>|                     |                |
 * | compile           | PROJECT#<id>        | COMPILE#<compileId>|                     |                |
 * | backtest          | PROJECT#<id>        | BACKTEST#<btId>    |                     |                |
 * | optimization      | OPT#<optId>         | OPT                | PROJECTOPTS#<projId>| <created>#<id> |
 * | optimization point| OPT#<optId>         | POINT#<btId>       |                     |                |
 * | live deployment   | PROJECT#<id>        | LIVE#<deployId>    | ORGLIVE#<orgId>     | <launched>#<id>|
 * | live slot         | PROJECT#<id>        | LIVESLOT           |                     |                |
 * | live command      | PROJECT#<id>        | LIVECMD#<deployId>#<cmdId> |             |                |
 * | counter           | COUNTER#<name>      | COUNTER            |                     |                |
 * | audit event       | AUDIT#<orgId>       | <iso time>#<reqId> | AUDITUSER#<userId>  | <iso time>     |
 * | object usage      | ORG#<orgId>         | OBJECTUSAGE        |                     |                |
 * | object get job    | ORG#<orgId>         | OBJECTJOB#<jobId>  |                     |                |
 * | job credential    | JOBCRED#<credId>    | JOBCRED            |                     |                |
 * | socket connection | WSCONN#<connId>     | WSCONN             |                     |                |
 * | its subscription  | WSCONN#<connId>     | TOPIC#<topic>      |                     |                |
 * | topic subscriber  | WSTOPIC#<topic>     | CONN#<connId>      |                     |                |
 *
 * Reading a user's partition returns the profile, tokens and memberships in one query, which is
 * all authentication needs.
 */
export interface Key {
  PK: string;
  SK: string;
}

export const keys = {
  org: (orgId: string): Key => ({ PK: `ORG#${orgId}`, SK: 'ORG' }),
  orgPartition: (orgId: string) => `ORG#${orgId}`,
  /** Every organisation sits in one index partition, so listing them needs no scan. */
  orgsIndex: () => 'ORGS',
  orgsSort: (created: string, orgId: string) => `${created}#${orgId}`,
  member: (orgId: string, userId: number): Key => ({ PK: `ORG#${orgId}`, SK: `MEMBER#${userId}` }),
  memberMirror: (userId: number, orgId: string): Key => ({ PK: `USER#${userId}`, SK: `MEMBER#${orgId}` }),
  user: (userId: number): Key => ({ PK: `USER#${userId}`, SK: 'PROFILE' }),
  userPartition: (userId: number) => `USER#${userId}`,
  token: (userId: number, tokenId: string): Key => ({ PK: `USER#${userId}`, SK: `TOKEN#${tokenId}` }),
  email: (email: string): Key => ({ PK: `EMAIL#${email.toLowerCase()}`, SK: 'EMAIL' }),
  apiKey: (keyId: string): Key => ({ PK: `APIKEY#${keyId}`, SK: 'APIKEY' }),
  userKeysIndex: (userId: number) => `USERKEYS#${userId}`,
  node: (orgId: string, nodeId: string): Key => ({ PK: `ORG#${orgId}`, SK: `NODE#${nodeId}` }),
  nodeWaiter: (orgId: string, jobId: string): Key => ({ PK: `ORG#${orgId}`, SK: `NODEWAIT#${jobId}` }),
  project: (projectId: number): Key => ({ PK: `PROJECT#${projectId}`, SK: 'PROJECT' }),
  projectPartition: (projectId: number) => `PROJECT#${projectId}`,
  orgProjectsIndex: (orgId: string) => `ORGPROJECTS#${orgId}`,
  /** Zero-padded so the index sorts projects by id. */
  projectSort: (projectId: number) => String(projectId).padStart(12, '0'),
  projectName: (orgId: string, name: string): Key => ({ PK: `ORG#${orgId}`, SK: `PROJECTNAME#${name.toLowerCase()}` }),
  file: (projectId: number, name: string): Key => ({ PK: `PROJECT#${projectId}`, SK: `FILE#${name}` }),
  /** An immutable group of a project's files; the project item names the packs of its committed file set. */
  filePack: (projectId: number, packId: string): Key => ({ PK: `PROJECT#${projectId}`, SK: `FILEPACK#${packId}` }),
  /** A large file write in progress: the packs it writes, so a crashed write's leftovers can be found. */
  fileStage: (projectId: number, stageId: string): Key => ({ PK: `PROJECT#${projectId}`, SK: `FILESTAGE#${stageId}` }),
  compile: (projectId: number, compileId: string): Key => ({ PK: `PROJECT#${projectId}`, SK: `COMPILE#${compileId}` }),
  backtest: (projectId: number, backtestId: string): Key => ({ PK: `PROJECT#${projectId}`, SK: `BACKTEST#${backtestId}` }),
  optimization: (optimizationId: string): Key => ({ PK: `OPT#${optimizationId}`, SK: 'OPT' }),
  optimizationPartition: (optimizationId: string) => `OPT#${optimizationId}`,
  optimizationPoint: (optimizationId: string, backtestId: string): Key => ({ PK: `OPT#${optimizationId}`, SK: `POINT#${backtestId}` }),
  projectOptimizationsIndex: (projectId: number) => `PROJECTOPTS#${projectId}`,
  liveDeployment: (projectId: number, deployId: string): Key => ({ PK: `PROJECT#${projectId}`, SK: `LIVE#${deployId}` }),
  /** The project's one live slot: which deployment is its newest, and whether it still runs. */
  liveSlot: (projectId: number): Key => ({ PK: `PROJECT#${projectId}`, SK: 'LIVESLOT' }),
  liveCommand: (projectId: number, deployId: string, commandId: string): Key => ({ PK: `PROJECT#${projectId}`, SK: `LIVECMD#${deployId}#${commandId}` }),
  liveCommandPrefix: (deployId: string) => `LIVECMD#${deployId}#`,
  orgLiveIndex: (orgId: string) => `ORGLIVE#${orgId}`,
  counter: (name: string): Key => ({ PK: `COUNTER#${name}`, SK: 'COUNTER' }),
  audit: (orgId: string, at: string, requestId: string): Key => ({ PK: `AUDIT#${orgId}`, SK: `${at}#${requestId}` }),
  auditPartition: (orgId: string) => `AUDIT#${orgId}`,
  auditUserIndex: (userId: number) => `AUDITUSER#${userId}`,
  /** Object store bytes used by an organisation (and an optional per-organisation quota override). */
  objectUsage: (orgId: string): Key => ({ PK: `ORG#${orgId}`, SK: 'OBJECTUSAGE' }),
  /** An object/get zip job; under the organisation, so another organisation's job id is not found. */
  objectJob: (orgId: string, jobId: string): Key => ({ PK: `ORG#${orgId}`, SK: `OBJECTJOB#${jobId}` }),
  /** LEAN's credential for one job (core/domain/identity/job-credential.ts), found by the id LEAN sends. */
  jobCredential: (credentialId: number): Key => ({ PK: `JOBCRED#${credentialId}`, SK: 'JOBCRED' }),
  /** An API Gateway WebSocket connection (core/data/realtime/connection-repository.ts). */
  socketConnection: (connectionId: string): Key => ({ PK: `WSCONN#${connectionId}`, SK: 'WSCONN' }),
  socketConnectionPartition: (connectionId: string) => `WSCONN#${connectionId}`,
  /** A connection's subscription, under the connection so its end finds every one. */
  socketSubscription: (connectionId: string, topic: string): Key => ({ PK: `WSCONN#${connectionId}`, SK: `TOPIC#${topic}` }),
  /** The same subscription under the topic, so a change finds its subscribers with one query. */
  topicSubscriber: (topic: string, connectionId: string): Key => ({ PK: `WSTOPIC#${topic}`, SK: `CONN#${connectionId}` }),
  topicPartition: (topic: string) => `WSTOPIC#${topic}`,
  prefixes: {
    socketTopic: 'TOPIC#',
    member: 'MEMBER#',
    token: 'TOKEN#',
    node: 'NODE#',
    nodeWaiter: 'NODEWAIT#',
    file: 'FILE#',
    fileStage: 'FILESTAGE#',
    compile: 'COMPILE#',
    backtest: 'BACKTEST#',
    optimizationPoint: 'POINT#',
    live: 'LIVE#',
  },
};
