import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../app.config'

describe('configuration', () => {
  it('runs on the embedded database with defaults when nothing is set', () => {
    const cfg = loadConfig({})
    expect(cfg.database).toEqual({ driver: 'pglite', dataDir: '.data' })
    expect(cfg).toMatchObject({ port: 3000, rootDomain: 'localhost:3000', protocol: 'http', seed: 'auto', demoPassword: 'demo-password' })
  })

  it('uses DATABASE_URL for the runtime and the owner URL for migrations', () => {
    const cfg = loadConfig({ DATABASE_URL: 'postgres://app@db/haven', HAVEN_OWNER_DATABASE_URL: 'postgres://owner@db/haven', PORT: '8080' })
    expect(cfg.database).toEqual({ driver: 'postgres', url: 'postgres://app@db/haven', ownerUrl: 'postgres://owner@db/haven' })
    expect(cfg.rootDomain).toBe('localhost:8080')
  })

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x@y/z' }, 'DATABASE_URL'],
    [{ HAVEN_ROOT_DOMAIN: 'Example.com/path' }, 'HAVEN_ROOT_DOMAIN'],
    [{ HAVEN_DEMO_PASSWORD: 'short' }, 'HAVEN_DEMO_PASSWORD'],
    [{ BETTER_AUTH_SECRET: 'too-short' }, 'BETTER_AUTH_SECRET'],
  ])('stops with a message naming the variable for %o', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(new RegExp(`Invalid configuration:[\\s\\S]*${variable}`))
  })

  it('refuses production without a secret, and does not seed the demo there unless asked', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/BETTER_AUTH_SECRET/)
    const secret = 'x'.repeat(40)
    expect(loadConfig({ NODE_ENV: 'production', BETTER_AUTH_SECRET: secret })).toMatchObject({ seed: 'never', protocol: 'https' })
    expect(loadConfig({ NODE_ENV: 'production', BETTER_AUTH_SECRET: secret, HAVEN_SEED: 'auto' }).seed).toBe('auto')
  })
})
