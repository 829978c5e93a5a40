import { InitialSchema1763800000000 } from './1763800000000-initial-schema.js';

/** Every migration, oldest first. */
export const allMigrations = [InitialSchema1763800000000];
