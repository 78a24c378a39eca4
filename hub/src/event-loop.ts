// Long jobs (an export, a chain verification) run in pages and yield between them, so every
// other request is served between two pages: better-sqlite3 is synchronous and Kysely's
// promises resolve as microtasks, which alone would let one job hold the event loop.
export function yieldToLoop(): Promise<void> {
    return new Promise(resolve => setImmediate(resolve))
}
