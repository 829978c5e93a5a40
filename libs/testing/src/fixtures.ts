import type { INestApplicationContext } from '@nestjs/common';
import { ApiKeysService, MembersService, WorkspacesService, type Role } from '@parley/accounts';
import { InboxesService, type InboxInput } from '@parley/inbox';

let counter = 0;
const unique = () => `${Date.now().toString(36)}${(counter += 1)}`;

export const TEST_PASSWORD = 'correct-horse-battery';
export const TWILIO_TEST_ACCOUNT_SID = `AC${'0'.repeat(32)}`;
export const TWILIO_TEST_AUTH_TOKEN = 'twilio-test-auth-token';
export const TWILIO_TEST_CONFIG = { accountSid: TWILIO_TEST_ACCOUNT_SID, from: '+15005550006' };

export interface WorkspaceFixture {
  workspaceId: string;
  admin: { id: string; email: string };
  addMember(role: Role): Promise<{ id: string; email: string }>;
  addInbox(
    input: Partial<InboxInput> & Pick<InboxInput, 'channel'>,
  ): Promise<{ id: string; secrets: Record<string, string> }>;
  addApiKey(): Promise<string>;
}

/** A workspace with an admin, built through the real services, plus helpers to add to it. */
export async function createWorkspace(
  app: INestApplicationContext,
  name = 'Acme',
): Promise<WorkspaceFixture> {
  const adminEmail = `admin-${unique()}@example.com`;
  const { workspace, admin } = await app.get(WorkspacesService).create({
    name: `${name} ${unique()}`,
    admin: { email: adminEmail, name: 'Admin', password: TEST_PASSWORD },
  });
  return {
    workspaceId: workspace.id,
    admin: { id: admin.id, email: adminEmail },
    async addMember(role) {
      const email = `${role}-${unique()}@example.com`;
      const member = await app
        .get(MembersService)
        .add(workspace.id, { email, name: `${role} ${unique()}`, password: TEST_PASSWORD, role });
      return { id: member.userId, email };
    },
    async addInbox(input) {
      const twilio = input.channel === 'sms' || input.channel === 'whatsapp';
      const { inbox, generatedSecrets } = await app.get(InboxesService).create(workspace.id, {
        name: `${input.channel} inbox ${unique()}`,
        ...(twilio ? { config: TWILIO_TEST_CONFIG, secrets: { authToken: TWILIO_TEST_AUTH_TOKEN } } : {}),
        ...(input.channel === 'email' ? { config: { address: `support-${unique()}@acme.test` } } : {}),
        ...input,
      });
      return { id: inbox.id, secrets: generatedSecrets };
    },
    async addApiKey() {
      return (await app.get(ApiKeysService).create(workspace.id, `key ${unique()}`, admin.id)).key;
    },
  };
}
