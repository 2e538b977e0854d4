import { commonSchemas } from '../schema';
import { defineRoute, type RouteDef, routeLookup, tableRead } from './route-types';

/** Route group `account` (the full table: ./index.ts): the account, organisations, the calling user, virtual nodes. */
export const accountRoutes = [
  defineRoute({
    path: 'account/read',
    group: 'account',
    summary: "An organization's account: id, credit balance, card.",
    entry: 'account/read-account',
    schema: commonSchemas.organization,
    role: 'viewer',
    mutating: false,
    access: tableRead,
  }),
  defineRoute({
    path: 'organizations/read',
    group: 'account',
    summary: 'An organization with members, products, credit and data agreement.',
    entry: 'account/read-organization',
    schema: commonSchemas.organization,
    role: 'viewer',
    mutating: false,
    access: tableRead,
  }),
  defineRoute({
    path: 'organizations/list',
    group: 'account',
    summary: "The caller's organizations.",
    entry: 'account/list-organizations',
    schema: commonSchemas.empty,
    role: 'viewer',
    mutating: false,
    access: tableRead,
  }),
  defineRoute({
    path: 'organizations/encryption/keys/list',
    group: 'account',
    summary: 'Registered project encryption keys.',
    entry: 'account/list-encryption-keys',
    schema: commonSchemas.organization,
    role: 'viewer',
    mutating: false,
    access: tableRead,
  }),
  defineRoute({
    path: 'user/read',
    group: 'account',
    summary: 'The calling user.',
    entry: 'account/read-user',
    schema: commonSchemas.organization,
    role: 'viewer',
    mutating: false,
    access: tableRead,
  }),
  defineRoute({
    path: 'nodes/read',
    group: 'account',
    summary: "The organization's virtual nodes by kind.",
    entry: 'account/read-nodes',
    schema: commonSchemas.organization,
    role: 'viewer',
    mutating: false,
    access: tableRead,
  }),
] as const satisfies readonly RouteDef[];

/** The typed route of a path of this group, for its handler files. */
export const route = routeLookup(accountRoutes);
