import { MdmlabError, notFound } from '../errors/mdmlab-error.js';
import { StoreConflict, type Repositories } from '../store/port.js';
import type { GroupMember, GroupRecord } from '../store/records.js';
import { isoNow, type DomainContext } from './context.js';
import type { Reconciler } from './reconciler.js';
import { CreateGroup, GroupMembers, UpdateGroup } from './schemas.js';
import { parseBody } from './validate.js';

interface MembersInput {
  users?: string[];
  devices?: string[];
}

/**
 * Groups of users and devices: the targets of deployments. A membership change changes what
 * devices should carry, so it reconciles the affected devices in the same transaction.
 */
export class GroupService {
  constructor(private readonly ctx: DomainContext, private readonly reconciler: Reconciler) {}

  async create(body: unknown): Promise<GroupRecord> {
    const input = parseBody<{ name: string; description?: string | null }>(CreateGroup, body);
    const group: GroupRecord = { id: this.ctx.newId('grp'), name: input.name, createdAt: isoNow(this.ctx) };
    if (input.description) group.description = input.description;
    await this.named(() => this.ctx.store.groups.insert(group));
    return group;
  }

  list(): Promise<GroupRecord[]> {
    return this.ctx.store.groups.list();
  }

  async get(id: string): Promise<GroupRecord & { members: GroupMember[] }> {
    const group = await this.ctx.store.groups.get(id);
    if (!group) throw notFound('group', id);
    return { ...group, members: await this.ctx.store.groups.members(id) };
  }

  async update(id: string, body: unknown): Promise<GroupRecord> {
    const input = parseBody<{ name?: string; description?: string | null }>(UpdateGroup, body);
    const group = await this.ctx.store.groups.get(id);
    if (!group) throw notFound('group', id);
    const next: GroupRecord = { ...group, ...(input.name ? { name: input.name } : {}) };
    if (input.description === null) delete next.description;
    else if (input.description !== undefined) next.description = input.description;
    await this.named(() => this.ctx.store.groups.update(next));
    return next;
  }

  /** Deleting a group withdraws its deployments: its devices lose the profiles it brought. */
  async delete(id: string): Promise<void> {
    await this.changeTargeting(id, async (tx) => {
      await tx.groups.delete(id);
    });
  }

  async members(id: string): Promise<GroupMember[]> {
    if (!(await this.ctx.store.groups.get(id))) throw notFound('group', id);
    return this.ctx.store.groups.members(id);
  }

  async addMembers(id: string, body: unknown): Promise<GroupMember[]> {
    const members = await this.checkedMembers(body);
    return this.changeTargeting(id, async (tx) => {
      await tx.groups.addMembers(id, members);
      return tx.groups.members(id);
    });
  }

  async removeMembers(id: string, body: unknown): Promise<GroupMember[]> {
    const input = parseBody<MembersInput>(GroupMembers, body);
    const members = toMembers(input);
    return this.changeTargeting(id, async (tx) => {
      await tx.groups.removeMembers(id, members);
      return tx.groups.members(id);
    });
  }

  /** Runs a change of the group in one transaction with the reconciliation of every device it touched. */
  private async changeTargeting<T>(groupId: string, change: (tx: Repositories) => Promise<T>): Promise<T> {
    const at = isoNow(this.ctx);
    const { result, toWake } = await this.ctx.store.transaction(async (tx) => {
      if (!(await tx.groups.get(groupId))) throw notFound('group', groupId);
      const before = await tx.groups.devicesInGroups([groupId]);
      const result = await change(tx);
      const after = await tx.groups.devicesInGroups([groupId]);
      const { toWake } = await this.reconciler.reconcile(tx, [...before, ...after], at);
      return { result, toWake };
    });
    await this.reconciler.wake(toWake);
    return result;
  }

  private async checkedMembers(body: unknown): Promise<GroupMember[]> {
    const input = parseBody<MembersInput>(GroupMembers, body);
    const { store } = this.ctx;
    for (const [i, userId] of (input.users ?? []).entries()) {
      if (!(await store.users.get(userId))) throw new MdmlabError('unknownMember', `user ${userId} does not exist`, `users[${i}]`);
    }
    for (const [i, deviceId] of (input.devices ?? []).entries()) {
      if (!(await store.devices.get(deviceId))) throw new MdmlabError('unknownMember', `device ${deviceId} does not exist`, `devices[${i}]`);
    }
    return toMembers(input);
  }

  private async named<T>(step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (err) {
      if (err instanceof StoreConflict) throw new MdmlabError('nameTaken', 'a group with this name already exists', 'name');
      throw err;
    }
  }
}

function toMembers(input: MembersInput): GroupMember[] {
  return [
    ...(input.users ?? []).map((id) => ({ kind: 'user' as const, id })),
    ...(input.devices ?? []).map((id) => ({ kind: 'device' as const, id })),
  ];
}
