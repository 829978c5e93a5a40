import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { TransactionRunner } from '@parley/database';
import { LocalCaches, type LocalCache } from '@parley/realtime';
import { Membership, User, Workspace, type WorkspaceSettings } from './accounts.entities.js';
import { AccountsError, AccountsErrorCode } from './accounts.errors.js';
import { PasswordHasher } from './password-hasher.js';

export interface NewWorkspace {
  name: string;
  timezone?: string;
  admin: { email: string; name: string; password: string };
}

@Injectable()
export class WorkspacesService {
  /** Workspace rows by id: the metrics fold and every survey read the settings and the name. */
  private readonly rows: LocalCache<Workspace>;

  constructor(
    @InjectRepository(Workspace) private readonly workspaces: Repository<Workspace>,
    private readonly hasher: PasswordHasher,
    private readonly tx: TransactionRunner,
    caches: LocalCaches,
  ) {
    this.rows = caches.cache('workspaces');
  }

  /** Creates a workspace and its first admin; an existing user with that email becomes the admin. */
  async create(input: NewWorkspace): Promise<{ workspace: Workspace; admin: User; createdUser: boolean }> {
    const passwordHash = await this.hasher.hash(input.admin.password);
    return this.tx.run(async (manager) => {
      const workspace = await manager.save(Workspace, {
        name: input.name,
        timezone: input.timezone ?? 'UTC',
        settings: {},
      });
      const email = input.admin.email.trim().toLowerCase();
      let admin = await manager.findOne(User, { where: { email } });
      const createdUser = !admin;
      admin ??= await manager.save(User, { email, name: input.admin.name, passwordHash, avatarUrl: null });
      await manager.insert(Membership, { workspaceId: workspace.id, userId: admin.id, role: 'admin' });
      return { workspace, admin, createdUser };
    });
  }

  /** The oldest workspace where this email is an admin, if any (makes seeding idempotent). */
  async findAdministeredBy(email: string): Promise<Workspace | null> {
    const membership = await this.tx.manager
      .createQueryBuilder(Membership, 'm')
      .innerJoin(User, 'u', 'u.id = m.user_id')
      .where('u.email = :email AND m.role = :role', { email: email.trim().toLowerCase(), role: 'admin' })
      .orderBy('m.created_at', 'ASC')
      .getOne();
    return membership ? this.get(membership.workspaceId) : null;
  }

  /**
   * A copy of the row, read through the process's cache. Inside a transaction pass its manager: a
   * miss then reads on the transaction's connection (a second one could starve the pool).
   */
  async get(workspaceId: string, manager: EntityManager = this.tx.manager): Promise<Workspace> {
    const workspace = await this.rows.get(workspaceId, () =>
      manager.findOne(Workspace, { where: { id: workspaceId } }),
    );
    return Object.assign(new Workspace(), structuredClone(found(workspace)));
  }

  async update(
    workspaceId: string,
    changes: { name?: string; timezone?: string; settings?: WorkspaceSettings },
  ): Promise<Workspace> {
    // From the stored row, not the cached copy: a change must not start from a stale one.
    const workspace = found(await this.workspaces.findOne({ where: { id: workspaceId } }));
    const saved = await this.workspaces.save({
      ...workspace,
      name: changes.name ?? workspace.name,
      timezone: changes.timezone ?? workspace.timezone,
      settings: { ...workspace.settings, ...changes.settings },
    });
    await this.rows.invalidate(workspaceId);
    return saved;
  }
}

function found(workspace: Workspace | null): Workspace {
  if (!workspace) throw new AccountsError(AccountsErrorCode.NotFound, 'Workspace not found');
  return workspace;
}
