// Regenerates app/routeTree.gen.ts without a build (the dev server and `vite build` also do it, with the same
// footer that registers the router and start instance with TanStack Start).
import { Generator, getConfig } from '@tanstack/router-generator'

const routeTreeFileFooter = [
  "import type { getRouter } from './router.tsx'",
  "import type { startInstance } from './start.ts'",
  "declare module '@tanstack/react-start' {",
  '  interface Register {',
  '    ssr: true',
  '    router: Awaited<ReturnType<typeof getRouter>>',
  '    config: Awaited<ReturnType<typeof startInstance.getOptions>>',
  '  }',
  '}',
]
const config = getConfig({
  routesDirectory: './app/routes',
  generatedRouteTree: './app/routeTree.gen.ts',
  target: 'react',
  routeTreeFileFooter: [routeTreeFileFooter.join('\n')],
})
await new Generator({ config, root: process.cwd() }).run()
