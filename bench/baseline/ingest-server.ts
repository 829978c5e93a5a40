/**
 * The ingest baseline: a bare Node `http` server doing one INSERT per request into the same PostgreSQL,
 * with the api's default pool size. Started by bench/parts/ingest.ts as its own process.
 */
import { createServer } from 'node:http';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.BENCH_DATABASE_URL, max: 10 });

const server = createServer((req, res) => {
  if (req.method === 'GET') {
    res.writeHead(200).end('ok');
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    pool
      .query<{ id: string }>(`INSERT INTO bench_ingest_baseline (body) VALUES ($1) RETURNING id`, [body])
      .then(({ rows }) => {
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id: rows[0].id }));
      })
      .catch((error: Error) => res.writeHead(500).end(error.message));
  });
});

server.listen(Number(process.env.BENCH_PORT), '127.0.0.1');
