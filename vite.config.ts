import tailwindcss from '@tailwindcss/vite'
import { tanstackStart } from '@tanstack/react-start/plugin/vite'
import viteReact from '@vitejs/plugin-react'
import { nitro } from 'nitro/vite'
import path from 'node:path'
import { defineConfig, type Plugin } from 'vite'

// Notices that are not about Haven's code and buried every real warning under a wall of text: libraries ship React
// Server Components' "use client" marker, which means nothing in this build (the bundler drops it and says so once
// per file); the bundler's report of slow plugins, which a busy machine triggers on every build; and its hint about
// a code-splitting group that the framework, not Haven, configures.
const NOISE = new Set(['PLUGIN_TIMINGS', 'MISSING_CODE_SPLITTING_GROUP_DEBUG_NAME'])
const quietBuild: Plugin = {
  name: 'haven:quiet-build',
  onLog: (_level, log) =>
    !((log.code === 'MODULE_LEVEL_DIRECTIVE' && log.message.includes('"use client"')) || NOISE.has(log.code ?? '')),
}

export default defineConfig({
  server: { port: Number(process.env.PORT ?? 3000), allowedHosts: true },
  // `~/…` is `app/…` (tsconfig.json paths), for imports that would otherwise climb several folders.
  resolve: { tsconfigPaths: true },
  plugins: [
    quietBuild,
    tailwindcss(),
    tanstackStart({
      srcDirectory: 'app',
      // Readable, stable ids (`auth.signIn`): logs say which function ran, and the authorization matrix test can
      // call every function over HTTP by name. Start passes the export name with a `_createServerFn_handler` suffix.
      serverFns: {
        generateFunctionId: ({ filename, functionName }) =>
          `${path.basename(filename).replace(/\.functions\.ts$/, '')}.${functionName.replace(/_createServerFn_handler$/, '')}`,
      },
    }),
    nitro({
      // Warnings only: the success lines end with a hint to run `npx vite preview`, which is not how Haven runs.
      logLevel: 1,
      traceDeps: ['@electric-sql/pglite*'],
      plugins: ['./app/server/nitro-boot.ts'],
      // A second build (a benchmark, a look at the UI) can go elsewhere while tests use .output.
      output: { dir: process.env.HAVEN_BUILD_DIR ?? '.output' },
    }),
    viteReact(),
  ],
})
