/** Builds the steward console into dist/, served by Canon under /console/. */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // no inline scripts or data: URLs for scripts: the CSP allows scripts from 'self' only
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
    // one chunk on purpose (see docs/adr): the budget that matters is the gzipped first load, checked by scripts/build.ts
    chunkSizeWarningLimit: 1000,
  },
  server: { proxy: { '/graphql': 'http://127.0.0.1:4000' } },
});
