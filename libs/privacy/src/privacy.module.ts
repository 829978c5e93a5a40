import { Module } from '@nestjs/common';
import { ChannelsModule } from '@parley/channels';
import { InboxModule } from '@parley/inbox';
import { PrivacyRepository } from './privacy.repository.js';
import { PrivacyService } from './privacy.service.js';
import { RetentionService } from './retention.service.js';

/** Subject access export, erasure and retention (issue 12, item 10). */
@Module({
  imports: [ChannelsModule, InboxModule],
  providers: [PrivacyRepository, PrivacyService, RetentionService],
  exports: [PrivacyService, RetentionService],
})
export class PrivacyModule {}
