import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'electron-vite';
import { fileURLToPath } from 'node:url';

const alias = { '@shared': fileURLToPath(new URL('./shared', import.meta.url)) };

export default defineConfig({
  main: {
    resolve: { alias },
    build: {
      externalizeDeps: true,
      rollupOptions: {
        input: {
          index: 'electron/main/index.ts',
          // Runs in Electron's utility process: all inference, decoding and SQL live there, off the main thread.
          'engine-host': 'electron/main/engine-host.ts',
          // The search index's worker threads, modules of their own (see electron/engine/search/index/worker-module.ts).
          'index-build-worker': 'electron/engine/search/index/index-build-worker.ts',
          'search-worker': 'electron/engine/search/index/search-worker.ts',
        },
      },
    },
  },
  preload: {
    resolve: { alias },
    build: { externalizeDeps: true, rollupOptions: { input: { index: 'electron/preload/index.ts' } } },
  },
  renderer: {
    root: 'renderer',
    resolve: { alias },
    plugins: [svelte()],
    build: { rollupOptions: { input: 'renderer/index.html' } },
  },
});
