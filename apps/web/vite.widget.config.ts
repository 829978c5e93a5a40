import { defineConfig } from 'vite';

/** `npm run build:widget`: apps/web/src/widget → dist/widget/widget.js, one self-contained IIFE file. */
export default defineConfig({
  publicDir: false,
  build: {
    outDir: new URL('../../dist/widget', import.meta.url).pathname,
    emptyOutDir: true,
    target: 'es2020',
    sourcemap: false,
    lib: {
      entry: new URL('./src/widget/main.ts', import.meta.url).pathname,
      formats: ['iife'],
      name: 'ParleyWidget',
      fileName: () => 'widget.js',
    },
  },
});
