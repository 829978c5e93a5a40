import { ParseUUIDPipe } from '@nestjs/common';

/** Route ids are UUIDs; anything else is a 400 before any lookup. */
export const uuid = new ParseUUIDPipe({ version: '4' });
