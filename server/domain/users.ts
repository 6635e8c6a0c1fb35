import { MdmlabError, notFound } from '../errors/mdmlab-error.js';
import { StoreConflict } from '../store/port.js';
import type { UserRecord } from '../store/records.js';
import { isoNow, type DomainContext } from './context.js';
import { CreateUser, UpdateUser } from './schemas.js';
import { parseBody } from './validate.js';

interface UserInput {
  upn?: string;
  primarySmtp?: string;
  username?: string;
}

/** Directory users: the people devices belong to and email addresses are generated from. */
export class UserService {
  constructor(private readonly ctx: DomainContext) {}

  async create(body: unknown): Promise<UserRecord> {
    const input = parseBody<UserInput & { upn: string }>(CreateUser, body);
    const user: UserRecord = {
      id: this.ctx.newId('usr'),
      upn: input.upn,
      primarySmtp: input.primarySmtp ?? input.upn,
      username: input.username ?? input.upn.split('@')[0]!,
      createdAt: isoNow(this.ctx),
    };
    await this.write(() => this.ctx.store.users.insert(user));
    return user;
  }

  list(filter: { upn?: string } = {}): Promise<UserRecord[]> {
    if (filter.upn !== undefined) return this.ctx.store.users.getByUpn(filter.upn).then((u) => (u ? [u] : []));
    return this.ctx.store.users.list();
  }

  async get(id: string): Promise<UserRecord> {
    const user = await this.ctx.store.users.get(id);
    if (!user) throw notFound('user', id);
    return user;
  }

  /** Devices keep the profiles they have; a changed address reaches them with the next profile version. */
  async update(id: string, body: unknown): Promise<UserRecord> {
    const input = parseBody<UserInput>(UpdateUser, body);
    const { store } = this.ctx;
    return this.write(() =>
      store.transaction(async (tx) => {
        const user = await tx.users.get(id);
        if (!user) throw notFound('user', id);
        const next: UserRecord = { ...user, ...input };
        await tx.users.update(next);
        return next;
      }),
    );
  }

  async delete(id: string): Promise<void> {
    await this.ctx.store.transaction(async (tx) => {
      if (!(await tx.users.get(id))) throw notFound('user', id);
      const devices = await tx.devices.list({ userId: id, status: 'enrolled' });
      if (devices.length > 0) {
        throw new MdmlabError('inUse', `user ${id} still has ${devices.length} enrolled device(s); unenroll them first`);
      }
      for (const g of await tx.groups.list()) await tx.groups.removeMembers(g.id, [{ kind: 'user', id }]);
      await tx.users.delete(id);
    });
  }

  private async write<T>(step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (err) {
      if (err instanceof StoreConflict) throw new MdmlabError('upnTaken', undefined, 'upn');
      throw err;
    }
  }
}
