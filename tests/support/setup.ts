import { afterAll, afterEach, beforeEach, vi } from 'vitest'
import { assertEveryQueryNamesItsTenant } from './statement-capture'

// console.error during a test fails it. A test that expects one clears the spy: vi.mocked(console.error).mockClear().
let errorSpy: ReturnType<typeof vi.spyOn> | undefined
beforeEach(() => {
  errorSpy = vi.spyOn(console, 'error')
})
afterEach(() => {
  const calls = errorSpy?.mock.calls.slice() ?? []
  errorSpy?.mockRestore()
  if (calls.length > 0) {
    throw new Error(`console.error was called during the test:\n${calls.map((c: unknown[]) => c.map(String).join(' ')).join('\n')}`)
  }
})

// Every statement the file sent inside a scope names its tenant (tests/support/statement-capture.ts, ADR 016); a test
// that probes RLS without the predicate on purpose says so with probingRls().
afterAll(assertEveryQueryNamesItsTenant)
