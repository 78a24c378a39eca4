// What every hub module is given instead of reaching for globals: the database, the clock
// (injected so tests control time and nothing reads Date.now() behind their back) and a logger.
import type { HubDb } from "./db/index"

export interface HubLog {
    info(msg: string, data?: object): void
    warn(msg: string, data?: object): void
    error(msg: string, data?: object): void
}

export interface HubContext {
    db: HubDb
    /** wall clock, unix milliseconds */
    nowMs: () => number
    log?: HubLog
    /** the address devices use to reach this hub (HUB_URL in a new device's .env.local);
     *  when absent, taken from the provisioning request's Host header */
    publicUrl?: string
    /** shown on the public transparency page (HUB_NAME), e.g. the clinic's name */
    hubName?: string
}
