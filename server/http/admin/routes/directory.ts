import type { AdminServices } from '../../../domain/services.js';
import { CreateGroup, CreateUser, GroupMembers, UpdateGroup, UpdateUser } from '../../../domain/schemas.js';
import { idParam, type RouteSpec } from '../route.js';
import { Group, GroupDetail, Member, User, list } from '../response-schemas.js';

/** Users and groups. */
export function directoryRoutes(s: AdminServices): RouteSpec[] {
  return [
    { method: 'post', path: '/users', tag: 'users', summary: 'Create a user', body: CreateUser, status: 201, response: User, handler: (r) => s.users.create(r.body) },
    {
      method: 'get',
      path: '/users',
      tag: 'users',
      summary: 'List users',
      query: { upn: { type: 'string', description: 'only the user with this UPN' } },
      response: list(User),
      handler: (r) => s.users.list(r.query.upn !== undefined ? { upn: r.query.upn } : {}),
    },
    { method: 'get', path: '/users/{id}', tag: 'users', summary: 'Get a user', response: User, handler: (r) => s.users.get(idParam(r)) },
    { method: 'patch', path: '/users/{id}', tag: 'users', summary: 'Edit a user', body: UpdateUser, response: User, handler: (r) => s.users.update(idParam(r), r.body) },
    { method: 'delete', path: '/users/{id}', tag: 'users', summary: 'Delete a user without enrolled devices', status: 204, handler: (r) => s.users.delete(idParam(r)) },

    { method: 'post', path: '/groups', tag: 'groups', summary: 'Create a group', body: CreateGroup, status: 201, response: Group, handler: (r) => s.groups.create(r.body) },
    { method: 'get', path: '/groups', tag: 'groups', summary: 'List groups', response: list(Group), handler: () => s.groups.list() },
    { method: 'get', path: '/groups/{id}', tag: 'groups', summary: 'Get a group with its members', response: GroupDetail, handler: (r) => s.groups.get(idParam(r)) },
    { method: 'patch', path: '/groups/{id}', tag: 'groups', summary: 'Rename or describe a group', body: UpdateGroup, response: Group, handler: (r) => s.groups.update(idParam(r), r.body) },
    {
      method: 'delete',
      path: '/groups/{id}',
      tag: 'groups',
      summary: 'Delete a group; its deployments are withdrawn from its devices',
      status: 204,
      handler: (r) => s.groups.delete(idParam(r)),
    },
    { method: 'get', path: '/groups/{id}/members', tag: 'groups', summary: 'List members', response: list(Member), handler: (r) => s.groups.members(idParam(r)) },
    {
      method: 'post',
      path: '/groups/{id}/members',
      tag: 'groups',
      summary: 'Add users and devices; affected devices are reconciled',
      body: GroupMembers,
      response: list(Member),
      handler: (r) => s.groups.addMembers(idParam(r), r.body),
    },
    {
      method: 'delete',
      path: '/groups/{id}/members/users/{memberId}',
      tag: 'groups',
      summary: 'Remove a user; their devices lose the profiles the group brought',
      response: list(Member),
      handler: (r) => s.groups.removeMembers(idParam(r), { users: [r.params.memberId!] }),
    },
    {
      method: 'delete',
      path: '/groups/{id}/members/devices/{memberId}',
      tag: 'groups',
      summary: 'Remove a device; it loses the profiles the group brought',
      response: list(Member),
      handler: (r) => s.groups.removeMembers(idParam(r), { devices: [r.params.memberId!] }),
    },
  ];
}
