// Account and key lifecycle (issue 13): user disable/enable, password change (by the user, with
// the current password) and reset (by an administrator), log out everywhere, device
// decommissioning and key rotation (device key, transport key). Each action and its entry in
// the append-only staff action log (migration 0007) are one transaction: an action is done and
// logged, or neither. Sessions an action ends are told to this process's live streams after the
// commit (auth/staff.ts sessionsEnded).
import { randomBytes, randomUUID } from "node:crypto"
import type { Kysely } from "kysely"
import type { HubContext } from "./context"
import type { HubSchema } from "./db/schema"
import { withRetry } from "./db/index"
import { hashPassword, verifyPassword, sessionsEnded, tokenHash, type StaffIdentity } from "./auth/staff"
import { gated } from "./auth/login-limits"
import { passwordProblem } from "./auth/password-policy"
import { badRequest, conflict, notFound, unauthorized } from "./errors"

export type StaffAction =
    | "user_disable" | "user_enable" | "password_change" | "password_reset" | "logout_everywhere"
    | "device_key_rotate" | "transport_key_rotate" | "device_decommission"

export interface StaffActionEntry {
    id: string
    atMs: number
    actor: string
    actorRole: string
    action: string
    targetKind: string
    target: string
    detail: string
}

type Trx = Kysely<HubSchema>

/** Appends one entry to the staff action log (inside the action's transaction). */
export async function logAction(trx: Trx, atMs: number, actor: StaffIdentity, action: StaffAction, targetKind: "user" | "device", target: string, detail = ""): Promise<void> {
    await trx.insertInto("staff_actions").values({
        id: randomUUID(), at_ms: atMs, actor: actor.name, actor_role: actor.role, action, target_kind: targetKind, target, detail,
    }).execute()
}

/** Newest first; `limit` 1..500. */
export async function listStaffActions(ctx: HubContext, o: { limit: number; offset: number; target?: string }): Promise<{ total: number; actions: StaffActionEntry[] }> {
    let q = ctx.db.db.selectFrom("staff_actions")
    if (o.target !== undefined) q = q.where("target", "=", o.target)
    const total = await q.select(eb => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()
    const rows = await q.selectAll().orderBy("at_ms", "desc").orderBy("id", "desc").limit(o.limit).offset(o.offset).execute()
    return {
        total: Number(total.n),
        actions: rows.map(r => ({
            id: r.id, atMs: Number(r.at_ms), actor: r.actor, actorRole: r.actor_role, action: r.action,
            targetKind: r.target_kind, target: r.target, detail: r.detail,
        })),
    }
}

// ---- users ----

export interface UserView {
    name: string
    role: string
    createdAtMs: number
    disabledAtMs: number | null
    /** sessions not yet expired */
    sessions: number
}

export async function listUsers(ctx: HubContext): Promise<UserView[]> {
    const now = ctx.nowMs()
    const users = await ctx.db.db.selectFrom("users").select(["id", "name", "role", "created_at_ms", "disabled_at_ms"]).orderBy("name").execute()
    const counts = await ctx.db.db.selectFrom("sessions").select(["user_id", eb => eb.fn.countAll<number>().as("n")])
        .where("expires_at_ms", ">", now).groupBy("user_id").execute()
    const byUser = new Map(counts.map(c => [c.user_id, Number(c.n)]))
    return users.map(u => ({
        name: u.name, role: u.role, createdAtMs: Number(u.created_at_ms),
        disabledAtMs: u.disabled_at_ms === null ? null : Number(u.disabled_at_ms), sessions: byUser.get(u.id) ?? 0,
    }))
}

async function userByName(trx: Trx, name: string) {
    const u = await trx.selectFrom("users").select(["id", "name", "disabled_at_ms", "password_hash"]).where("name", "=", name).executeTakeFirst()
    if (!u) throw notFound("no user " + name)
    return u
}

/** Deletes a user's sessions (all, or all but one) and returns their token hashes. */
async function endSessions(trx: Trx, userId: string, keepTokenHash?: string): Promise<string[]> {
    let q = trx.selectFrom("sessions").select("token_hash").where("user_id", "=", userId)
    if (keepTokenHash !== undefined) q = q.where("token_hash", "!=", keepTokenHash)
    const hashes = (await q.execute()).map(r => r.token_hash)
    let d = trx.deleteFrom("sessions").where("user_id", "=", userId)
    if (keepTokenHash !== undefined) d = d.where("token_hash", "!=", keepTokenHash)
    await d.execute()
    return hashes
}

/** Runs a user action and its log entry in one transaction, then ends the live streams of the sessions it ended. */
async function userAction(ctx: HubContext, fn: (trx: Trx, now: number) => Promise<string[]>): Promise<{ sessionsEnded: number }> {
    const ended = await withRetry(ctx.db, trx => fn(trx, ctx.nowMs()))
    sessionsEnded(ctx, ended)
    return { sessionsEnded: ended.length }
}

/** Looks the user up, applies `change` (which may refuse), ends every session of theirs and logs the action. */
function sessionEndingAction(ctx: HubContext, actor: StaffIdentity, name: string, action: StaffAction,
    change?: (trx: Trx, u: Awaited<ReturnType<typeof userByName>>, now: number) => Promise<void>) {
    return userAction(ctx, async (trx, now) => {
        const u = await userByName(trx, name)
        if (change) await change(trx, u, now)
        const ended = await endSessions(trx, u.id)
        await logAction(trx, now, actor, action, "user", name, ended.length + " session(s) ended")
        return ended
    })
}

/** An administrator disables an account: it cannot log in, and every session it has ends now. */
export async function disableUser(ctx: HubContext, actor: StaffIdentity, name: string) {
    if (name === actor.name) throw conflict("own_account", "you cannot disable your own account")
    return sessionEndingAction(ctx, actor, name, "user_disable", async (trx, u, now) => {
        if (u.disabled_at_ms !== null) throw conflict("already_disabled", name + " is already disabled")
        await trx.updateTable("users").set({ disabled_at_ms: now }).where("id", "=", u.id).execute()
    })
}

export async function enableUser(ctx: HubContext, actor: StaffIdentity, name: string) {
    return userAction(ctx, async (trx, now) => {
        const u = await userByName(trx, name)
        if (u.disabled_at_ms === null) throw conflict("not_disabled", name + " is not disabled")
        await trx.updateTable("users").set({ disabled_at_ms: null }).where("id", "=", u.id).execute()
        await logAction(trx, now, actor, "user_enable", "user", name)
        return []
    })
}

function checkNewPassword(password: string, name: string) {
    const problem = passwordProblem(password, name)
    if (problem) throw badRequest("bad_password", problem)
}

/**
 * The user changes their own password: the current one must be right (401 `bad_password_current`),
 * the new one must pass the policy. Every other session of theirs ends; the one asking stays.
 */
export async function changeOwnPassword(ctx: HubContext, actor: StaffIdentity, token: string, current: string, next: string) {
    checkNewPassword(next, actor.name)
    if (current === next) throw badRequest("bad_password", "the new password must differ from the current one")
    const u = await userByName(ctx.db.db, actor.name)
    if (!(await gated(ctx, () => verifyPassword(current, u.password_hash))))
        throw unauthorized("bad_password_current", "the current password is wrong")
    const hash = await hashPassword(next)
    return userAction(ctx, async (trx, now) => {
        // compare-and-set: a reset or change in between wins, and this one is refused
        const r = await trx.updateTable("users").set({ password_hash: hash }).where("id", "=", u.id).where("password_hash", "=", u.password_hash).executeTakeFirst()
        if (Number(r.numUpdatedRows) !== 1) throw conflict("password_changed", "the password was changed meanwhile: try again")
        const ended = await endSessions(trx, u.id, tokenHash(token))
        await logAction(trx, now, actor, "password_change", "user", actor.name, ended.length + " other session(s) ended")
        return ended
    })
}

/** An administrator sets a new password for someone (policy applies); every session of theirs ends. */
export async function resetPassword(ctx: HubContext, actor: StaffIdentity, name: string, next: string) {
    checkNewPassword(next, name)
    const hash = await hashPassword(next)
    return sessionEndingAction(ctx, actor, name, "password_reset", async (trx, u) => {
        await trx.updateTable("users").set({ password_hash: hash }).where("id", "=", u.id).execute()
    })
}

/** Ends every session of a user (their own request, or an administrator's). */
export async function logoutEverywhere(ctx: HubContext, actor: StaffIdentity, name: string) {
    return sessionEndingAction(ctx, actor, name, "logout_everywhere")
}

// ---- devices ----

export const newKeyHex = () => randomBytes(32).toString("hex")

/** The lines of a device's .env.local: DEVICE_ID, the keys given, HUB_URL (keys the hub does not show again are left out). */
export function envLocalOf(o: { deviceId: string; deviceKey?: string; linkKey?: string; hubUrl: string; why: string }): string {
    return "# written by the hub when " + o.deviceId + " " + o.why + "; keep it secret\n" +
        "DEVICE_ID=" + o.deviceId + "\n" +
        (o.deviceKey ? "DEVICE_KEY=" + o.deviceKey + "\n" : "") +
        (o.linkKey ? "LINK_KEY=" + o.linkKey + "\n" : "") +
        "HUB_URL=" + o.hubUrl + "\n"
}

async function liveDevice(trx: Trx, deviceId: string) {
    const d = await trx.selectFrom("devices").select(["id", "key_hex", "key_generation", "decommissioned_at_ms"]).where("id", "=", deviceId).executeTakeFirst()
    if (!d) throw notFound("no device " + deviceId)
    if (d.decommissioned_at_ms !== null) throw conflict("decommissioned", "device " + deviceId + " is decommissioned")
    return d
}

export interface RotatedKey {
    deviceId: string
    key: "device" | "transport"
    /** the new key (shown once) */
    keyHex: string
    /** the device key's generation after the rotation */
    keyGeneration: number
    envLocal: string
}

/**
 * A new device key or transport key. The old transport key (and, for a device key, the old
 * device key as a request signer) stops working for new requests at once. A retired device
 * key stays on file for the records it sealed: ingest and chain verification accept a record
 * under it up to the seq before the first record stored under a newer key (ingest.ts,
 * device-keys.ts; hub/README.md "Key rotation").
 */
export async function rotateKey(ctx: HubContext, actor: StaffIdentity, deviceId: string, key: "device" | "transport", hubUrl: string): Promise<RotatedKey> {
    const keyHex = newKeyHex()
    const generation = await withRetry(ctx.db, async trx => {
        const now = ctx.nowMs()
        const d = await liveDevice(trx, deviceId)
        const gen = Number(d.key_generation)
        if (key === "transport") {
            await trx.updateTable("devices").set({ transport_key_hex: keyHex }).where("id", "=", deviceId).execute()
            await logAction(trx, now, actor, "transport_key_rotate", "device", deviceId, "device key generation " + gen + " unchanged")
            return gen
        }
        await trx.insertInto("device_retired_keys").values({ device_id: deviceId, generation: gen, key_hex: d.key_hex, retired_at_ms: now, last_seq: null }).execute()
        // compare-and-set on the generation: two rotations at once cannot both retire one key
        const r = await trx.updateTable("devices").set({ key_hex: keyHex, key_generation: gen + 1 })
            .where("id", "=", deviceId).where("key_generation", "=", gen).executeTakeFirst()
        if (Number(r.numUpdatedRows) !== 1) throw conflict("rotated_meanwhile", "the key was rotated meanwhile: try again")
        await logAction(trx, now, actor, "device_key_rotate", "device", deviceId, "generation " + gen + " -> " + (gen + 1))
        return gen + 1
    })
    const envLocal = envLocalOf({
        deviceId, hubUrl, why: key === "device" ? "got device key generation " + generation : "got a new transport key",
        deviceKey: key === "device" ? keyHex : undefined, linkKey: key === "transport" ? keyHex : undefined,
    })
    return { deviceId, key, keyHex, keyGeneration: generation, envLocal }
}

/** The device's requests are refused from now on; its records stay, and stay verifiable. */
export async function decommissionDevice(ctx: HubContext, actor: StaffIdentity, deviceId: string, reason: string): Promise<{ deviceId: string; decommissionedAtMs: number }> {
    const at = await withRetry(ctx.db, async trx => {
        const now = ctx.nowMs()
        await liveDevice(trx, deviceId)
        // compare-and-set: of two decommissionings at once, one is done and logged, the other is 409
        const r = await trx.updateTable("devices").set({ decommissioned_at_ms: now }).where("id", "=", deviceId).where("decommissioned_at_ms", "is", null).executeTakeFirst()
        if (Number(r.numUpdatedRows) !== 1) throw conflict("decommissioned", "device " + deviceId + " is decommissioned")
        await logAction(trx, now, actor, "device_decommission", "device", deviceId, reason)
        return now
    })
    return { deviceId, decommissionedAtMs: at }
}
