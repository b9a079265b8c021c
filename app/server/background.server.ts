import { AsyncLocalStorage } from 'node:async_hooks'
import { noteLasting } from './replay.server'

/**
 * Work that must not run on the request path (ADR 014: a reset request answers before it looks anything up, so
 * its timing says nothing about the address). The work runs in the async context captured when this module was
 * first loaded — at start-up, outside any request — so it never inherits the request's tenant transaction, which
 * is committed by the time the work runs; it opens its own scope.
 *
 * On globalThis because the server bundle may hold more than one copy of this module: the first copy, loaded at
 * start-up by boot.server.ts, captures the context every copy uses.
 */
type Background = { detached: <R>(fn: () => R) => R; pending: Set<Promise<void>> }
const holder = globalThis as typeof globalThis & { __havenBackground?: Background }
holder.__havenBackground ??= { detached: AsyncLocalStorage.snapshot(), pending: new Set() }
const background = holder.__havenBackground

/** Starts `work` after the current request's work, detached from it; a failure is logged, never thrown. */
export function runInBackground(label: string, work: () => Promise<void>): void {
  // The work outlives the request: a call that started it is not run again after a conflict (replay.server.ts).
  noteLasting()
  const task: Promise<void> = new Promise<void>((resolve) => {
    background.detached(() => setImmediate(() => resolve(work())))
  })
    .catch((error) => console.error(`[haven] background task "${label}" failed`, error))
    .finally(() => background.pending.delete(task))
  background.pending.add(task)
}

/** Resolves when every task started so far has finished (tests, and a graceful shutdown). */
export async function backgroundIdle(): Promise<void> {
  while (background.pending.size > 0) await Promise.all([...background.pending])
}
