import { Injectable } from '@nestjs/common';
import { ApiKeysService, MembersService, TeamsService, WorkspacesService } from '@parley/accounts';
import { AppConfig } from '@parley/config';
import {
  CatalogService,
  ConversationsService,
  InboxesService,
  IngestService,
  type Actor,
} from '@parley/inbox';
import { SurveyPoliciesService, SurveyReportsService, SurveysService } from '@parley/surveys';

// The demo's SMS/WhatsApp inboxes talk to the phone simulator (libs/testing/src/phone-simulator.main.ts)
// instead of Twilio; keep these in step with it.
const DEMO_TWILIO_ACCOUNT_SID = `AC${'d'.repeat(32)}`;
const DEMO_TWILIO_AUTH_TOKEN = 'parley-demo-twilio-token';
const DEMO_META = {
  pageId: '1000000000099',
  appId: '1000000000098',
  pageAccessToken: 'parley-demo-page-token',
  appSecret: 'parley-demo-app-secret',
};

export interface SeedReport {
  created: boolean;
  workspaceId: string;
  adminEmail: string;
  adminPassword: string;
  lines: string[];
}

/** Creates the first workspace and admin, and with `demo` a small, realistic cross-channel inbox. */
@Injectable()
export class SeedService {
  constructor(
    private readonly config: AppConfig,
    private readonly workspaces: WorkspacesService,
    private readonly members: MembersService,
    private readonly teams: TeamsService,
    private readonly apiKeys: ApiKeysService,
    private readonly inboxes: InboxesService,
    private readonly catalog: CatalogService,
    private readonly ingest: IngestService,
    private readonly conversations: ConversationsService,
    private readonly surveyPolicies: SurveyPoliciesService,
    private readonly surveys: SurveysService,
    private readonly surveyReports: SurveyReportsService,
  ) {}

  async seed(demo: boolean): Promise<SeedReport> {
    const {
      SEED_ADMIN_EMAIL: email,
      SEED_ADMIN_PASSWORD: password,
      SEED_WORKSPACE_NAME: name,
    } = this.config.env;
    const existing = await this.workspaces.findAdministeredBy(email);
    const report = { adminEmail: email, adminPassword: password, lines: [] as string[] };
    if (existing) return { ...report, created: false, workspaceId: existing.id };
    const { workspace, admin } = await this.workspaces.create({
      name,
      admin: { email, name: 'Avery Admin', password },
    });
    const result: SeedReport = { ...report, created: true, workspaceId: workspace.id };
    if (demo) await this.demo(workspace.id, admin.id, password, result.lines);
    return result;
  }

  private async demo(workspaceId: string, adminId: string, password: string, lines: string[]): Promise<void> {
    const ana = await this.members.add(workspaceId, {
      email: 'ana@parley.local',
      name: 'Ana Souza',
      password,
      role: 'agent',
    });
    const ben = await this.members.add(workspaceId, {
      email: 'ben@parley.local',
      name: 'Ben Okafor',
      password,
      role: 'agent',
    });
    const sam = await this.members.add(workspaceId, {
      email: 'sam@parley.local',
      name: 'Sam Lee',
      password,
      role: 'supervisor',
    });
    const billing = await this.teams.create(workspaceId, {
      name: 'Billing',
      description: 'Invoices, refunds, plans',
    });
    const support = await this.teams.create(workspaceId, { name: 'Support', description: 'Everything else' });
    await this.teams.setMembers(workspaceId, billing.id, [ana.userId]);
    await this.teams.setMembers(workspaceId, support.id, [ana.userId, ben.userId]);

    const api = (
      await this.inboxes.create(workspaceId, { name: 'Shop backend (API)', channel: 'api', config: {} })
    ).inbox;
    const sms = (
      await this.inboxes.create(workspaceId, {
        name: 'Support SMS',
        channel: 'sms',
        config: { accountSid: DEMO_TWILIO_ACCOUNT_SID, from: '+15005550006' },
        secrets: { authToken: DEMO_TWILIO_AUTH_TOKEN },
      })
    ).inbox;
    const whatsapp = (
      await this.inboxes.create(workspaceId, {
        name: 'WhatsApp',
        channel: 'whatsapp',
        config: { accountSid: DEMO_TWILIO_ACCOUNT_SID, from: '+14155238886' },
        secrets: { authToken: DEMO_TWILIO_AUTH_TOKEN },
      })
    ).inbox;
    await this.inboxes.create(workspaceId, {
      name: 'Facebook page',
      channel: 'messenger',
      config: { pageId: DEMO_META.pageId, appId: DEMO_META.appId },
      secrets: { pageAccessToken: DEMO_META.pageAccessToken, appSecret: DEMO_META.appSecret },
    });
    const email = (
      await this.inboxes.create(workspaceId, {
        name: 'support@parley.local',
        channel: 'email',
        // No mail server in the demo: no IMAP, and replies go to an SMTP sink on localhost:2525 if one runs.
        config: {
          address: 'support@parley.local',
          displayName: 'Parley Demo Support',
          smtp: { host: '127.0.0.1', port: 2525, tlsMode: 'none' },
        },
      })
    ).inbox;
    // The website token (public, in the snippet) and the identity-verification secret are generated.
    const { inbox: webchat, generatedSecrets: webchatSecrets } = await this.inboxes.create(workspaceId, {
      name: 'Website chat',
      channel: 'webchat',
      config: { greeting: 'Hi! Questions about an order? Ask us here.', replyTime: 'a few minutes' },
    });

    for (const label of [
      { name: 'refund', color: '#dc2626' },
      { name: 'shipping', color: '#2563eb' },
      { name: 'vip', color: '#ca8a04' },
    ]) {
      await this.catalog.createLabel(workspaceId, label);
    }
    await this.catalog.createCanned(workspaceId, adminId, {
      shortCode: 'thanks',
      content: 'Thanks for reaching out! Is there anything else I can help you with?',
    });
    await this.catalog.createCanned(workspaceId, adminId, {
      shortCode: 'refund',
      content: 'I have issued your refund; it will appear on your statement within 5 business days.',
    });

    const agent = (userId: string): Actor => ({ type: 'agent', id: userId });
    // Maria writes in the shop's in-app help (API channel, which knows her phone and email),
    // then texts, then emails a photo: one customer, one thread, three channels.
    const maria = await this.ingest.ingest({
      workspaceId,
      inboxId: api.id,
      externalId: 'demo-app-1',
      contactName: 'Maria Garcia',
      identities: [
        { kind: 'external', value: 'shop-customer-1042' },
        { kind: 'phone', value: '+14155550134' },
        { kind: 'email', value: 'maria.garcia@example.com' },
      ],
      body: 'Hi, my order #1042 arrived damaged. Can I get a replacement?',
    });
    await this.conversations.addNote(
      workspaceId,
      agent(ana.userId),
      maria.conversation.id,
      'Asked Maria by phone for a photo of the damage.',
    );
    await this.ingest.ingest({
      workspaceId,
      inboxId: sms.id,
      externalId: 'demo-sms-1',
      identities: [{ kind: 'phone', value: '+14155550134' }],
      body: 'Sending the photo by email now.',
    });
    await this.ingest.ingest({
      workspaceId,
      inboxId: email.id,
      externalId: '<demo-1@example.com>',
      identities: [{ kind: 'email', value: 'maria.garcia@example.com' }],
      subject: 'Photo of the damaged order #1042',
      body: 'Here is the photo of the broken lid. Thanks for the quick answer!',
    });
    await this.conversations.assign(workspaceId, agent(ana.userId), maria.conversation.id, {
      assigneeId: ana.userId,
      teamId: support.id,
    });
    await this.conversations.setLabels(workspaceId, agent(ana.userId), maria.conversation.id, ['shipping']);

    const tom = await this.ingest.ingest({
      workspaceId,
      inboxId: whatsapp.id,
      externalId: 'demo-wa-1',
      identities: [{ kind: 'phone', value: 'whatsapp:+447700900123' }],
      contactName: 'Tom Becker',
      body: 'I was charged twice for my subscription this month 😕',
    });
    await this.conversations.assign(workspaceId, agent(adminId), tom.conversation.id, { teamId: billing.id });
    await this.conversations.setLabels(workspaceId, agent(adminId), tom.conversation.id, ['refund']);
    await this.conversations.setPriority(workspaceId, agent(adminId), tom.conversation.id, 'high');
    await this.conversations.addNote(
      workspaceId,
      agent(sam.userId),
      tom.conversation.id,
      'Stripe shows two charges on the 3rd. Please refund one.',
    );

    const lee = await this.ingest.ingest({
      workspaceId,
      inboxId: webchat.id,
      externalId: 'demo-chat-1',
      identities: [{ kind: 'visitor', value: 'visitor-7f3a' }],
      contactName: 'Jin Lee',
      body: 'Do you ship to Canada?',
    });
    await this.conversations.addNote(
      workspaceId,
      agent(ben.userId),
      lee.conversation.id,
      'Answered on the phone: 3–5 business days to Canada.',
    );
    await this.conversations.resolve(workspaceId, agent(ben.userId), lee.conversation.id);

    await this.ingest.ingest({
      workspaceId,
      inboxId: api.id,
      externalId: 'order-service-77',
      identities: [
        { kind: 'external', value: 'customer-77' },
        { kind: 'email', value: 'priya@example.com' },
      ],
      contactName: 'Priya Natarajan',
      body: 'Order #2088 status says "label created" for a week now. Is it lost?',
    });

    await this.demoSurveys(workspaceId, sms.id, agent(ana.userId));

    const key = await this.apiKeys.create(workspaceId, 'Demo integration', adminId);
    lines.push(
      `Agents: ana@parley.local, ben@parley.local (agent), sam@parley.local (supervisor); password: ${password}`,
      `API channel: POST /api/v1/inboxes/${api.id}/inbound with header X-Api-Key: ${key.key}`,
      'Text the workspace by SMS, WhatsApp or Messenger from the phone simulator: http://localhost:3001',
      `Web chat demo shop: ${this.config.env.PUBLIC_URL}/demo/shop.html?websiteToken=${String(webchat.config.websiteToken)} (identity verification secret: ${webchatSecrets.hmacSecret})`,
    );
  }

  /**
   * Survey history for the reports: three SMS customers served, resolved, surveyed (sent at once
   * instead of after the delay) and answered in the channel. New resolves in the demo get CSAT then
   * CES one minute later.
   */
  private async demoSurveys(workspaceId: string, smsInboxId: string, by: Actor): Promise<void> {
    await this.surveyPolicies.put(workspaceId, null, { kinds: ['csat', 'ces'], delayMinutes: 1 });
    const customers = [
      {
        phone: '+14155550161',
        name: 'Noah Williams',
        asks: 'Can I change my delivery address?',
        csat: '5',
        ces: '7 super easy',
      },
      { phone: '+14155550162', name: 'Emma Brown', asks: 'How do I reset my password?', csat: '4', ces: '6' },
      {
        phone: '+14155550163',
        name: 'Liam Jones',
        asks: 'My coupon does not work',
        csat: '2 - took two days',
        ces: '3',
      },
    ];
    for (const [index, customer] of customers.entries()) {
      const asked = await this.ingest.ingest({
        workspaceId,
        inboxId: smsInboxId,
        externalId: `demo-survey-${index}`,
        identities: [{ kind: 'phone', value: customer.phone }],
        contactName: customer.name,
        body: customer.asks,
      });
      const id = asked.conversation.id;
      await this.conversations.reply(workspaceId, by, id, { body: 'Done — anything else I can help with?' });
      await this.conversations.resolve(workspaceId, by, id);
      const rows = await this.surveyReports.list(
        workspaceId,
        { from: new Date(0), to: new Date(Date.now() + 60_000), conversationId: id },
        10,
      );
      const inOrder = rows.items.sort((a, b) => Number(a.kind === 'ces') - Number(b.kind === 'ces'));
      for (const [step, row] of inOrder.entries()) {
        await this.surveys.send(workspaceId, row.id);
        await this.ingest.ingest({
          workspaceId,
          inboxId: smsInboxId,
          externalId: `demo-survey-${index}-answer-${step}`,
          identities: [{ kind: 'phone', value: customer.phone }],
          body: step === 0 ? customer.csat : customer.ces,
        });
      }
    }
  }
}
