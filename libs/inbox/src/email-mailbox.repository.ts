import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { EmailMailboxState } from './inbox.entities.js';

/** The IMAP pollers' state rows, and the used-token log of the MIME webhook (replay protection). */
@Injectable()
export class EmailMailboxRepository {
  constructor(private readonly dataSource: DataSource) {}

  async state(workspaceId: string, inboxId: string, folder: string): Promise<EmailMailboxState> {
    await this.dataSource.query(
      `INSERT INTO email_mailbox_state (inbox_id, workspace_id, folder) VALUES ($1, $2, $3)
       ON CONFLICT (inbox_id) DO NOTHING`,
      [inboxId, workspaceId, folder],
    );
    const state = await this.dataSource.manager.findOneOrFail(EmailMailboxState, {
      where: { workspaceId, inboxId },
    });
    if (state.folder !== folder) {
      // Another folder has its own UIDs: start that one afresh.
      await this.save(workspaceId, inboxId, { folder, uidValidity: null, lastUid: '0' });
      return this.dataSource.manager.findOneOrFail(EmailMailboxState, { where: { workspaceId, inboxId } });
    }
    return state;
  }

  async save(workspaceId: string, inboxId: string, changes: Partial<EmailMailboxState>): Promise<void> {
    await this.dataSource.manager.update(EmailMailboxState, { workspaceId, inboxId }, changes);
  }

  findForInboxes(workspaceId: string, inboxIds: string[]): Promise<EmailMailboxState[]> {
    if (inboxIds.length === 0) return Promise.resolve([]);
    return this.dataSource.manager.find(EmailMailboxState, { where: { workspaceId, inboxId: In(inboxIds) } });
  }

  /** Records a webhook token as used; false when it was used before (a replay). Old tokens are pruned. */
  async claimToken(inboxId: string, token: string, keepSeconds: number): Promise<boolean> {
    await this.dataSource.query(
      `DELETE FROM email_webhook_tokens WHERE used_at < now() - make_interval(secs => $1)`,
      [keepSeconds],
    );
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO email_webhook_tokens (inbox_id, token) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING token`,
      [inboxId, token],
    );
    return rows.length > 0;
  }

  /** Frees a token whose request failed on our side, so the provider's retry is accepted. */
  async releaseToken(inboxId: string, token: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM email_webhook_tokens WHERE inbox_id = $1 AND token = $2`, [
      inboxId,
      token,
    ]);
  }
}
