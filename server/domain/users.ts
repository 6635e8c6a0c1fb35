import { MdmlabError, notFound } from '../errors/mdmlab-error.js';
import { StoreConflict } from '../store/port.js';
import type { UserRecord } from '../store/records.js';
import { accountIdentityFor } from '../../protocol/admin/account-identity.js';
import { isoNow, type DomainContext } from './context.js';
import type { Reconciler } from './reconciler.js';
import { CreateUser, UpdateUser } from './schemas.js';
import { parseBody } from './validate.js';

interface UserInput {
  upn?: string;
  primarySmtp?: string;
  username?: string;
}

/** Directory users: the people devices belong to and email addresses are generated from. */
export class UserService {
  constructor(private readonly ctx: DomainContext, private readonly reconciler: Reconciler) {}

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

  /**
   * A changed address or user name changes what the user's profiles say on each device: every
   * profile whose generated identity differs is delivered again to the user's enrolled devices, in
   * the same transaction as the edit (a managed account follows its user; the platform rules still
   * apply, so on iOS a hand-made account with the new address blocks the re-delivery).
   */
  async update(id: string, body: unknown): Promise<UserRecord> {
    const input = parseBody<UserInput>(UpdateUser, body);
    const { store } = this.ctx;
    const at = isoNow(this.ctx);
    const { user, toWake } = await this.write(() =>
      store.transaction(async (tx) => {
        const before = await tx.users.get(id);
        if (!before) throw notFound('user', id);
        const after: UserRecord = { ...before, ...input };
        await tx.users.update(after);
        const reissue = new Set(
          (await tx.emailProfiles.list())
            .filter((p) => !sameIdentity(accountIdentityFor(p.definition, before), accountIdentityFor(p.definition, after)))
            .map((p) => p.id),
        );
        if (reissue.size === 0) return { user: after, toWake: [] };
        const devices = await tx.devices.list({ userId: id, status: 'enrolled' });
        const { toWake } = await this.reconciler.reconcile(tx, devices.map((d) => d.id), at, { reissue });
        return { user: after, toWake };
      }),
    );
    await this.reconciler.wake(toWake);
    return user;
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

function sameIdentity(a: { email: string; username: string }, b: { email: string; username: string }): boolean {
  return a.email === b.email && a.username === b.username;
}
