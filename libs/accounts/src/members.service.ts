import { Injectable } from '@nestjs/common';
import { LessThan } from 'typeorm';
import { TransactionRunner, updatePartial } from '@parley/database';
import { Membership, User, type Role } from './accounts.entities.js';
import { AccountsError, AccountsErrorCode } from './accounts.errors.js';
import { PasswordHasher } from './password-hasher.js';

export interface MemberView {
  userId: string;
  email: string;
  name: string;
  role: Role;
  capacity: number;
  availability: Membership['availability'];
  channelCapacity: Record<string, number>;
  createdAt: Date;
}

@Injectable()
export class MembersService {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly hasher: PasswordHasher,
  ) {}

  async list(workspaceId: string): Promise<MemberView[]> {
    const rows = await this.tx.manager
      .createQueryBuilder(Membership, 'm')
      .innerJoin(User, 'u', 'u.id = m.user_id')
      .select(['m.user_id AS "userId"', 'u.email AS email', 'u.name AS name', 'm.role AS role'])
      .addSelect(['m.capacity AS capacity', 'm.availability AS availability', 'm.created_at AS "createdAt"'])
      .addSelect('m.channel_capacity AS "channelCapacity"')
      .where('m.workspace_id = :workspaceId', { workspaceId })
      .orderBy('u.name', 'ASC')
      .getRawMany<MemberView>();
    return rows;
  }

  async get(workspaceId: string, userId: string): Promise<MemberView> {
    const member = (await this.list(workspaceId)).find((m) => m.userId === userId);
    if (!member) throw new AccountsError(AccountsErrorCode.NotFound, 'Member not found');
    return member;
  }

  /** Adds a member; creates the user when the email is new (a password is then required). */
  async add(
    workspaceId: string,
    input: { email: string; name: string; password?: string; role: Role; capacity?: number },
  ): Promise<MemberView> {
    const email = input.email.trim().toLowerCase();
    const passwordHash = input.password ? await this.hasher.hash(input.password) : null;
    const userId = await this.tx.run(async (manager) => {
      let user = await manager.findOne(User, { where: { email } });
      if (!user) {
        if (!passwordHash)
          throw new AccountsError(AccountsErrorCode.InvalidInput, 'A new user needs a password');
        user = await manager.save(User, { email, name: input.name, passwordHash, avatarUrl: null });
      }
      const existing = await manager.findOne(Membership, { where: { workspaceId, userId: user.id } });
      if (existing) throw new AccountsError(AccountsErrorCode.EmailTaken, 'That user is already a member');
      await manager.insert(Membership, {
        workspaceId,
        userId: user.id,
        role: input.role,
        capacity: input.capacity ?? 10,
      });
      return user.id;
    });
    return this.get(workspaceId, userId);
  }

  async update(
    workspaceId: string,
    userId: string,
    changes: {
      role?: Role;
      capacity?: number;
      availability?: Membership['availability'];
      channelCapacity?: Record<string, number>;
    },
  ): Promise<MemberView> {
    await this.tx.run(async (manager) => {
      const membership = await manager.findOne(Membership, {
        where: { workspaceId, userId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!membership) throw new AccountsError(AccountsErrorCode.NotFound, 'Member not found');
      if (membership.role === 'admin' && changes.role && changes.role !== 'admin') {
        await this.assertAnotherAdmin(manager, workspaceId, userId);
      }
      const availabilityChanged =
        changes.availability !== undefined && changes.availability !== membership.availability;
      await updatePartial(
        manager,
        Membership,
        { id: membership.id },
        {
          ...changes,
          ...(availabilityChanged ? { availabilityChangedAt: new Date() } : {}),
        },
      );
    });
    return this.get(workspaceId, userId);
  }

  async remove(workspaceId: string, userId: string): Promise<void> {
    await this.tx.run(async (manager) => {
      const membership = await manager.findOne(Membership, {
        where: { workspaceId, userId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!membership) throw new AccountsError(AccountsErrorCode.NotFound, 'Member not found');
      if (membership.role === 'admin') await this.assertAnotherAdmin(manager, workspaceId, userId);
      await manager.delete(Membership, { id: membership.id });
      await manager.query('DELETE FROM team_members WHERE workspace_id = $1 AND user_id = $2', [
        workspaceId,
        userId,
      ]);
    });
  }

  /** Members online since before `cutoff` (candidates for going offline when idle). */
  async onlineSince(cutoff: Date): Promise<Array<{ workspaceId: string; userId: string }>> {
    const rows = await this.tx.manager.find(Membership, {
      where: { availability: 'online', availabilityChangedAt: LessThan(cutoff) },
      take: 1000,
    });
    return rows.map((row) => ({ workspaceId: row.workspaceId, userId: row.userId }));
  }

  async isMember(workspaceId: string, userId: string): Promise<boolean> {
    return this.tx.manager.exists(Membership, { where: { workspaceId, userId } });
  }

  private async assertAnotherAdmin(
    manager: TransactionRunner['manager'],
    workspaceId: string,
    userId: string,
  ): Promise<void> {
    const admins = await manager.find(Membership, {
      where: { workspaceId, role: 'admin' },
      lock: { mode: 'pessimistic_write' },
    });
    if (!admins.some((admin) => admin.userId !== userId)) {
      throw new AccountsError(AccountsErrorCode.LastAdmin, 'A workspace keeps at least one admin');
    }
  }
}
