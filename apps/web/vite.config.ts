import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
// The api the dev server proxies to (`npm run start:api` or `npm run demo` listen on 3000).
const api = 'http://127.0.0.1:3000';

/** The agent and supervisor app: built to dist/web, which the api serves at `/`. */
export default defineConfig({
  root,
  base: '/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: fileURLToPath(new URL('../../dist/web', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    rollupOptions: { input: { main: 'index.html', survey: 'survey.html' } },
  },
  server: {
    port: 5173,
    proxy: {
      '/api': api,
      '/socket.io': { target: api, ws: true },
      '/widget.js': api,
    },
  },
});
