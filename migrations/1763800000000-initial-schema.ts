import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1763800000000 implements MigrationInterface {
  name = 'InitialSchema1763800000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);

    await db.query(`
      CREATE TABLE workspaces (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        timezone text NOT NULL DEFAULT 'UTC',
        settings jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);

    await db.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL CHECK (email = lower(email)),
        name text NOT NULL,
        password_hash text NOT NULL,
        avatar_url text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT users_email_key UNIQUE (email)
      )`);

    await db.query(`
      CREATE TABLE memberships (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        role text NOT NULL CHECK (role IN ('admin', 'supervisor', 'agent')),
        capacity integer NOT NULL DEFAULT 10 CHECK (capacity >= 0),
        availability text NOT NULL DEFAULT 'offline' CHECK (availability IN ('online', 'busy', 'offline')),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT memberships_workspace_user_key UNIQUE (workspace_id, user_id)
      )`);
    await db.query(`CREATE INDEX memberships_user_idx ON memberships (user_id)`);

    await db.query(`
      CREATE TABLE teams (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        name text NOT NULL,
        description text NOT NULL DEFAULT '',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE UNIQUE INDEX teams_workspace_name_key ON teams (workspace_id, lower(name))`);

    await db.query(`
      CREATE TABLE team_members (
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        team_id uuid NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (team_id, user_id)
      )`);
    await db.query(`CREATE INDEX team_members_workspace_user_idx ON team_members (workspace_id, user_id)`);

    await db.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        name text NOT NULL,
        prefix text NOT NULL,
        key_hash text NOT NULL,
        created_by uuid REFERENCES users(id) ON DELETE SET NULL,
        last_used_at timestamptz,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT api_keys_hash_key UNIQUE (key_hash)
      )`);
    await db.query(`CREATE INDEX api_keys_workspace_idx ON api_keys (workspace_id, created_at DESC)`);

    await db.query(`
      CREATE TABLE inboxes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        name text NOT NULL,
        channel text NOT NULL CHECK (channel IN ('webchat', 'sms', 'whatsapp', 'email', 'messenger', 'instagram', 'api')),
        team_id uuid REFERENCES teams(id) ON DELETE SET NULL,
        config jsonb NOT NULL DEFAULT '{}',
        secrets text,
        enabled boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX inboxes_workspace_idx ON inboxes (workspace_id, created_at)`);

    await db.query(`
      CREATE TABLE contacts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        name text,
        email text,
        phone text,
        avatar_url text,
        attributes jsonb NOT NULL DEFAULT '{}',
        consent jsonb NOT NULL DEFAULT '{}',
        merged_into_id uuid REFERENCES contacts(id),
        last_activity_at timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(
      `CREATE INDEX contacts_workspace_activity_idx ON contacts (workspace_id, last_activity_at DESC, id DESC)`,
    );
    await db.query(`
      CREATE INDEX contacts_search_idx ON contacts USING gin (
        (coalesce(name, '') || ' ' || coalesce(email, '') || ' ' || coalesce(phone, '')) gin_trgm_ops
      )`);

    await db.query(`
      CREATE TABLE contact_identities (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        contact_id uuid NOT NULL REFERENCES contacts(id),
        kind text NOT NULL CHECK (kind IN ('phone', 'email', 'psid', 'igsid', 'visitor', 'external')),
        value text NOT NULL,
        scope_inbox_id uuid REFERENCES inboxes(id) ON DELETE CASCADE,
        verified boolean NOT NULL DEFAULT false,
        opted_out boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT contact_identities_value_key UNIQUE NULLS NOT DISTINCT (workspace_id, kind, value, scope_inbox_id)
      )`);
    await db.query(`CREATE INDEX contact_identities_contact_idx ON contact_identities (contact_id)`);

    await db.query(`
      CREATE TABLE conversations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        contact_id uuid NOT NULL REFERENCES contacts(id),
        status text NOT NULL CHECK (status IN ('open', 'pending', 'snoozed', 'resolved')),
        assignee_id uuid REFERENCES users(id) ON DELETE SET NULL,
        team_id uuid REFERENCES teams(id) ON DELETE SET NULL,
        priority smallint NOT NULL DEFAULT 0 CHECK (priority BETWEEN 0 AND 4),
        subject text,
        reply_inbox_id uuid REFERENCES inboxes(id) ON DELETE SET NULL,
        reply_identity_id uuid REFERENCES contact_identities(id) ON DELETE SET NULL,
        last_channel text,
        opened_at timestamptz NOT NULL DEFAULT now(),
        first_response_at timestamptz,
        resolved_at timestamptz,
        waiting_since timestamptz,
        last_message_at timestamptz NOT NULL DEFAULT now(),
        snoozed_until timestamptz,
        messages_count integer NOT NULL DEFAULT 0,
        customer_messages_count integer NOT NULL DEFAULT 0,
        agent_replies_count integer NOT NULL DEFAULT 0,
        reopen_count integer NOT NULL DEFAULT 0,
        previous_id uuid REFERENCES conversations(id),
        merged_into_id uuid REFERENCES conversations(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // The thread model's core rule, enforced by the database: at most one unresolved conversation per contact.
    await db.query(
      `CREATE UNIQUE INDEX conversations_one_open_per_contact ON conversations (contact_id) WHERE status <> 'resolved'`,
    );
    await db.query(
      `CREATE INDEX conversations_list_idx ON conversations (workspace_id, status, last_message_at DESC, id DESC)`,
    );
    await db.query(
      `CREATE INDEX conversations_assignee_idx ON conversations (workspace_id, assignee_id, status, last_message_at DESC, id DESC)`,
    );
    await db.query(
      `CREATE INDEX conversations_team_idx ON conversations (workspace_id, team_id, status, last_message_at DESC, id DESC)`,
    );
    await db.query(
      `CREATE INDEX conversations_inbox_idx ON conversations (workspace_id, reply_inbox_id, status, last_message_at DESC, id DESC)`,
    );
    await db.query(
      `CREATE INDEX conversations_waiting_idx ON conversations (workspace_id, status, waiting_since, id)`,
    );
    await db.query(
      `CREATE INDEX conversations_priority_idx ON conversations (workspace_id, status, priority DESC, last_message_at DESC, id DESC)`,
    );
    await db.query(
      `CREATE INDEX conversations_contact_idx ON conversations (workspace_id, contact_id, opened_at DESC)`,
    );
    await db.query(
      `CREATE INDEX conversations_snoozed_idx ON conversations (snoozed_until) WHERE status = 'snoozed'`,
    );

    await db.query(`
      CREATE TABLE messages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        conversation_id uuid NOT NULL REFERENCES conversations(id),
        contact_id uuid NOT NULL REFERENCES contacts(id),
        inbox_id uuid REFERENCES inboxes(id) ON DELETE SET NULL,
        identity_id uuid REFERENCES contact_identities(id) ON DELETE SET NULL,
        channel text,
        direction text NOT NULL CHECK (direction IN ('in', 'out')),
        sender_type text NOT NULL CHECK (sender_type IN ('contact', 'agent', 'bot', 'system')),
        author_id uuid REFERENCES users(id) ON DELETE SET NULL,
        kind text NOT NULL CHECK (kind IN ('text', 'note', 'event', 'survey')),
        body text NOT NULL DEFAULT '',
        html text,
        attachments jsonb NOT NULL DEFAULT '[]',
        external_id text,
        status text NOT NULL CHECK (status IN ('received', 'queued', 'sent', 'delivered', 'read', 'failed', 'undelivered')),
        error_code text,
        error_message text,
        attempts integer NOT NULL DEFAULT 0,
        metadata jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        delivered_at timestamptz,
        read_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT messages_external_id_key UNIQUE (workspace_id, inbox_id, external_id)
      )`);
    await db.query(`CREATE INDEX messages_conversation_idx ON messages (conversation_id, created_at, id)`);
    await db.query(
      `CREATE INDEX messages_contact_timeline_idx ON messages (workspace_id, contact_id, created_at DESC, id DESC)`,
    );

    await db.query(`
      CREATE TABLE conversation_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        conversation_id uuid NOT NULL REFERENCES conversations(id),
        type text NOT NULL,
        actor_type text NOT NULL CHECK (actor_type IN ('contact', 'agent', 'bot', 'system')),
        actor_id uuid,
        channel text,
        inbox_id uuid,
        message_id uuid,
        data jsonb NOT NULL DEFAULT '{}',
        occurred_at timestamptz NOT NULL DEFAULT now(),
        seq bigserial NOT NULL
      )`);
    await db.query(
      `CREATE INDEX conversation_events_conversation_idx ON conversation_events (conversation_id, seq)`,
    );
    await db.query(
      `CREATE INDEX conversation_events_workspace_idx ON conversation_events (workspace_id, occurred_at)`,
    );

    await db.query(`
      CREATE TABLE labels (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        name text NOT NULL,
        color text NOT NULL DEFAULT '#64748b',
        description text NOT NULL DEFAULT '',
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT labels_workspace_name_key UNIQUE (workspace_id, name)
      )`);
    await db.query(`
      CREATE TABLE conversation_labels (
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        conversation_id uuid NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        label_id uuid NOT NULL REFERENCES labels(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (conversation_id, label_id)
      )`);
    await db.query(
      `CREATE INDEX conversation_labels_label_idx ON conversation_labels (workspace_id, label_id, conversation_id)`,
    );

    await db.query(`
      CREATE TABLE canned_responses (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        short_code text NOT NULL,
        content text NOT NULL,
        created_by uuid REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT canned_responses_short_code_key UNIQUE (workspace_id, short_code)
      )`);

    await db.query(`
      CREATE TABLE contact_merges (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        target_contact_id uuid NOT NULL REFERENCES contacts(id),
        source_contact_id uuid NOT NULL REFERENCES contacts(id),
        merged_by uuid REFERENCES users(id) ON DELETE SET NULL,
        merged_at timestamptz NOT NULL DEFAULT now(),
        unmerged_by uuid REFERENCES users(id) ON DELETE SET NULL,
        unmerged_at timestamptz,
        moved jsonb NOT NULL,
        source_snapshot jsonb NOT NULL
      )`);
    await db.query(
      `CREATE INDEX contact_merges_target_idx ON contact_merges (workspace_id, target_contact_id, merged_at DESC)`,
    );
    await db.query(
      `CREATE INDEX contact_merges_source_idx ON contact_merges (workspace_id, source_contact_id, merged_at DESC)`,
    );

    await db.query(`
      CREATE TABLE inbound_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        inbox_id uuid NOT NULL REFERENCES inboxes(id) ON DELETE CASCADE,
        provider text NOT NULL,
        external_id text NOT NULL,
        payload jsonb NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        processed_at timestamptz,
        error text,
        CONSTRAINT inbound_events_external_id_key UNIQUE (workspace_id, inbox_id, external_id)
      )`);

    await db.query(`
      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        workspace_id uuid,
        kind text NOT NULL CHECK (kind IN ('realtime', 'job')),
        name text NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        dispatched_at timestamptz,
        attempts integer NOT NULL DEFAULT 0,
        last_error text
      )`);
    await db.query(`CREATE INDEX outbox_pending_idx ON outbox (id) WHERE dispatched_at IS NULL`);

    await db.query(`
      CREATE TABLE audit_log (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        actor_type text NOT NULL,
        actor_id uuid,
        action text NOT NULL,
        target_type text NOT NULL,
        target_id uuid,
        data jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(
      `CREATE INDEX audit_log_target_idx ON audit_log (workspace_id, target_type, target_id, created_at DESC)`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of [
      'audit_log',
      'outbox',
      'inbound_events',
      'contact_merges',
      'canned_responses',
      'conversation_labels',
      'labels',
      'conversation_events',
      'messages',
      'conversations',
      'contact_identities',
      'contacts',
      'inboxes',
      'api_keys',
      'team_members',
      'teams',
      'memberships',
      'users',
      'workspaces',
    ]) {
      await db.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
