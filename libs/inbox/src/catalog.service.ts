import { Injectable } from '@nestjs/common';
import { isUniqueViolation, TransactionRunner, updatePartial } from '@parley/database';
import { CannedResponse, Label } from './inbox.entities.js';
import { InboxError, InboxErrorCode } from './inbox.errors.js';

/** Workspace vocabularies agents use while working: labels and canned responses. */
@Injectable()
export class CatalogService {
  constructor(private readonly tx: TransactionRunner) {}

  listLabels(workspaceId: string): Promise<Label[]> {
    return this.tx.manager.find(Label, { where: { workspaceId }, order: { name: 'ASC' } });
  }

  async createLabel(
    workspaceId: string,
    input: { name: string; color?: string; description?: string },
  ): Promise<Label> {
    return this.unique('label', () => this.tx.manager.save(Label, { workspaceId, ...input }));
  }

  async updateLabel(
    workspaceId: string,
    id: string,
    input: { name?: string; color?: string; description?: string },
  ): Promise<Label> {
    await this.requireLabel(workspaceId, id);
    await this.unique('label', () => updatePartial(this.tx.manager, Label, { workspaceId, id }, input));
    return this.requireLabel(workspaceId, id);
  }

  async deleteLabel(workspaceId: string, id: string): Promise<void> {
    await this.requireLabel(workspaceId, id);
    await this.tx.manager.delete(Label, { workspaceId, id });
  }

  listCanned(workspaceId: string, search?: string): Promise<CannedResponse[]> {
    const query = this.tx.manager
      .createQueryBuilder(CannedResponse, 'c')
      .where('c.workspace_id = :workspaceId', { workspaceId })
      .orderBy('c.short_code', 'ASC');
    if (search)
      query.andWhere('(c.short_code ILIKE :s OR c.content ILIKE :s)', {
        s: `%${search.replace(/[\\%_]/g, '\\$&')}%`,
      });
    return query.getMany();
  }

  async getCanned(workspaceId: string, id: string): Promise<CannedResponse> {
    const canned = await this.tx.manager.findOne(CannedResponse, { where: { workspaceId, id } });
    if (!canned) throw InboxError.notFound('Canned response');
    return canned;
  }

  createCanned(
    workspaceId: string,
    createdBy: string | null,
    input: { shortCode: string; content: string },
  ): Promise<CannedResponse> {
    return this.unique('canned response', () =>
      this.tx.manager.save(CannedResponse, { workspaceId, createdBy, ...input }),
    );
  }

  async updateCanned(
    workspaceId: string,
    id: string,
    input: { shortCode?: string; content?: string },
  ): Promise<CannedResponse> {
    await this.getCanned(workspaceId, id);
    await this.unique('canned response', () =>
      updatePartial(this.tx.manager, CannedResponse, { workspaceId, id }, input),
    );
    return this.getCanned(workspaceId, id);
  }

  async deleteCanned(workspaceId: string, id: string): Promise<void> {
    await this.getCanned(workspaceId, id);
    await this.tx.manager.delete(CannedResponse, { workspaceId, id });
  }

  private async requireLabel(workspaceId: string, id: string): Promise<Label> {
    const label = await this.tx.manager.findOne(Label, { where: { workspaceId, id } });
    if (!label) throw InboxError.notFound('Label');
    return label;
  }

  private async unique<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new InboxError(InboxErrorCode.Conflict, `A ${what} with that name already exists`);
      }
      throw error;
    }
  }
}
