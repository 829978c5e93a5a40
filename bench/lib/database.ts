import pg from 'pg';

/** Runs `work` on a connection to `postgres` of the same server, with the database name of `databaseUrl`. */
async function onServer(databaseUrl: string, work: (admin: pg.Client, name: string) => Promise<void>) {
  const url = new URL(databaseUrl);
  const name = url.pathname.slice(1);
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unexpected bench database name ${name}`);
  url.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    await work(admin, name);
  } finally {
    await admin.end();
  }
}

/** Drops and creates the database named in `databaseUrl`. */
export function recreateDatabase(databaseUrl: string): Promise<void> {
  return onServer(databaseUrl, async (admin, name) => {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  });
}

export function dropDatabase(databaseUrl: string): Promise<void> {
  return onServer(databaseUrl, async (admin, name) => {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
}
