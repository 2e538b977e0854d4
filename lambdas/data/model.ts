import type { Role } from '../shared/principal';

/** Entities as the services see them; repositories map them to and from items. */
export interface Organization {
  id: string;
  name: string;
  ownerUserId: number;
  created: string;
}

export interface User {
  id: number;
  name: string;
  email: string;
  created: string;
  preferredOrgId?: string;
}

export interface Member {
  orgId: string;
  userId: number;
  role: Role;
  joined: string;
}

export interface ApiToken {
  userId: number;
  tokenId: string;
  /** Encrypted token: the QuantConnect hash needs the clear value at verification time. */
  ciphertext: string;
  created: string;
  expiresAt?: string;
  revokedAt?: string;
}

export interface ApiKey {
  keyId: string;
  userId: number;
  name: string;
  /** SHA-256 of the secret, hex. The secret itself is never stored. */
  secretHash: string;
  created: string;
  expiresAt?: string;
  revokedAt?: string;
  lastUsedAt?: string;
}

export interface Collaborator {
  userId: number;
  write: boolean;
  liveControl: boolean;
  owner: boolean;
  added: string;
}

export interface ProjectParameter {
  key: string;
  value: string;
}

export type Language = 'Py' | 'C#';

export interface Project {
  id: number;
  orgId: string;
  name: string;
  description: string;
  language: Language;
  ownerId: number;
  created: string;
  modified: string;
  leanVersionId: number;
  leanPinnedToMaster: boolean;
  leanEnvironment: number;
  parameters: ProjectParameter[];
  /** Ids of library projects linked into this one. */
  libraries: number[];
  collaborators: Collaborator[];
  /** Node ids selected for this project; empty with autoSelectNode means "any free node". */
  activeNodes: string[];
  autoSelectNode: boolean;
  lock?: { userId: number; codeSourceId: string; acquired: string };
}

export interface ProjectFile {
  projectId: number;
  name: string;
  content: string;
  created: string;
  modified: string;
}

export type NodeKind = 'backtest' | 'research' | 'live';

export interface VirtualNode {
  id: string;
  orgId: string;
  kind: NodeKind;
  sku: string;
  name: string;
  created: string;
}

export interface AuditEvent {
  orgId: string;
  at: string;
  requestId: string;
  userId: number;
  authMethod: string;
  credentialId: string;
  action: string;
  target?: string;
  sourceIp: string;
  detail?: Record<string, unknown>;
}
