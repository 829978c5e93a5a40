import { Injectable } from '@nestjs/common';
import { isUniqueViolation, TransactionRunner, updatePartial } from '@parley/database';
import { Membership, Team, TeamMember, type TeamAssignment } from './accounts.entities.js';
import { AccountsError, AccountsErrorCode } from './accounts.errors.js';

export interface TeamView {
  id: string;
  name: string;
  description: string;
  memberIds: string[];
  assignment: TeamAssignment;
}

@Injectable()
export class TeamsService {
  constructor(private readonly tx: TransactionRunner) {}

  async list(workspaceId: string): Promise<TeamView[]> {
    const [teams, members] = await Promise.all([
      this.tx.manager.find(Team, { where: { workspaceId }, order: { name: 'ASC' } }),
      this.tx.manager.find(TeamMember, { where: { workspaceId } }),
    ]);
    return teams.map((team) => toView(team, members));
  }

  async get(workspaceId: string, teamId: string): Promise<TeamView> {
    const team = await this.tx.manager.findOne(Team, { where: { workspaceId, id: teamId } });
    if (!team) throw new AccountsError(AccountsErrorCode.NotFound, 'Team not found');
    return toView(team, await this.tx.manager.find(TeamMember, { where: { workspaceId, teamId } }));
  }

  async create(
    workspaceId: string,
    input: { name: string; description?: string; assignment?: TeamAssignment },
  ): Promise<TeamView> {
    try {
      const team = await this.tx.manager.save(Team, {
        workspaceId,
        name: input.name,
        description: input.description ?? '',
        assignment: input.assignment ?? { mode: 'off' },
      });
      return toView(team, []);
    } catch (error) {
      throw uniqueName(error);
    }
  }

  async update(
    workspaceId: string,
    teamId: string,
    input: { name?: string; description?: string; assignment?: TeamAssignment },
  ): Promise<TeamView> {
    await this.get(workspaceId, teamId);
    try {
      await updatePartial(this.tx.manager, Team, { workspaceId, id: teamId }, input);
    } catch (error) {
      throw uniqueName(error);
    }
    return this.get(workspaceId, teamId);
  }

  async remove(workspaceId: string, teamId: string): Promise<void> {
    await this.get(workspaceId, teamId);
    await this.tx.manager.delete(Team, { workspaceId, id: teamId });
  }

  /** Replaces the team's members; every id must be a member of the workspace. */
  async setMembers(workspaceId: string, teamId: string, userIds: string[]): Promise<TeamView> {
    await this.get(workspaceId, teamId);
    const unique = [...new Set(userIds)];
    await this.tx.run(async (manager) => {
      const found = unique.length
        ? await manager.findBy(
            Membership,
            unique.map((userId) => ({ workspaceId, userId })),
          )
        : [];
      if (found.length !== unique.length) {
        throw new AccountsError(
          AccountsErrorCode.NotAMember,
          'Every team member must belong to the workspace',
        );
      }
      await manager.delete(TeamMember, { workspaceId, teamId });
      if (unique.length)
        await manager.insert(
          TeamMember,
          unique.map((userId) => ({ workspaceId, teamId, userId })),
        );
    });
    return this.get(workspaceId, teamId);
  }

  async teamIdsOf(workspaceId: string, userId: string): Promise<string[]> {
    const rows = await this.tx.manager.find(TeamMember, { where: { workspaceId, userId } });
    return rows.map((row) => row.teamId);
  }
}

function toView(team: Team, members: TeamMember[]): TeamView {
  return {
    id: team.id,
    name: team.name,
    description: team.description,
    memberIds: members.filter((m) => m.teamId === team.id).map((m) => m.userId),
    assignment: team.assignment,
  };
}

function uniqueName(error: unknown): unknown {
  return isUniqueViolation(error)
    ? new AccountsError(AccountsErrorCode.TeamNameTaken, 'A team with that name exists')
    : error;
}
