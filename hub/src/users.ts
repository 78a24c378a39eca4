// Staff accounts: created by the CLI (`hub user add`) and by tests.
import { randomUUID } from "node:crypto"
import type { HubContext } from "./context"
import { hashPassword, ROLES, type Role, type StaffIdentity } from "./auth/staff"
import { passwordProblem } from "./auth/password-policy"
import { badRequest, conflict } from "./errors"
import { isUniqueViolation } from "./db/index"

export const NAME_PATTERN = /^[A-Za-z0-9._-]{1,32}$/

export async function createUser(ctx: HubContext, u: { name: string; password: string; role: Role }): Promise<StaffIdentity> {
    if (typeof u.name !== "string" || !NAME_PATTERN.test(u.name)) throw badRequest("bad_name", "name must be 1-32 of A-Z a-z 0-9 . _ -")
    if (!(ROLES as readonly string[]).includes(u.role)) throw badRequest("bad_role", "role must be one of " + ROLES.join(", "))
    const problem = typeof u.password === "string" ? passwordProblem(u.password, u.name) : "password must be a string"
    if (problem) throw badRequest("bad_password", problem)
    const existing = await ctx.db.db.selectFrom("users").select("id").where("name", "=", u.name).executeTakeFirst()
    if (existing) throw conflict("name_taken", "a user named " + u.name + " exists")
    const id = randomUUID()
    try {
        await ctx.db.db.insertInto("users")
            .values({ id, name: u.name, role: u.role, password_hash: await hashPassword(u.password), created_at_ms: ctx.nowMs() })
            .execute()
    } catch (e) {
        // two creations of one name at once: the unique index decides
        if (isUniqueViolation(e)) throw conflict("name_taken", "a user named " + u.name + " exists")
        throw e
    }
    return { userId: id, name: u.name, role: u.role }
}
