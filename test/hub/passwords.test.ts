// Issue 13 item 15: staff passwords are at least 12 characters (OWASP ASVS 4.0.3 V2.1.1) and not
// a common password or an obvious pattern (NIST SP 800-63B 5.1.1.2: compare with known-weak
// values). Every refusal is a 400 bad_password saying why, and creates nothing.
import { describe, it, expect, beforeAll, afterAll } from "vitest"
import { createUser } from "../../hub/src/users"
import { passwordProblem } from "../../hub/src/auth/password-policy"
import { HubError } from "../../hub/src/errors"
import { libraryStore, USERS, LIBRARY_PASSWORD, type LibraryStore } from "./library-fixture"
import { FIXTURE_PASSWORD } from "./hub-fixture"
import { PASSWORD as CONSOLE_PASSWORD } from "../console/fixture"

let s: LibraryStore
beforeAll(async () => {
    s = await libraryStore()
})
afterAll(async () => s?.close())

/** [password, what the refusal must say] */
const REFUSED: [string, string][] = [
    ["password", "at least 12 characters"],
    ["        ", "at least 12 characters"],
    ["            ", "at least 5 different characters"],
    ["aaaaaaaaaaaaaaaa", "at least 5 different characters"],
    ["abababababab", "at least 5 different characters"],
    ["Password123!", "common password"],
    ["P@ssw0rd2024", "common password"],
    ["iloveyou2024!", "common password"],
    ["qwertyuiop123", "common password"],
    ["1qaz2wsx3edc", "common password"],
    ["letmein-letmein", "common password"],
    ["123456789012", "letters"],
    ["2024-12-31 23:59", "letters"],
    ["abcdefghijklmn", "sequence"],
    ["ana-secret-pass", "the user's name"],
    ["correct\u0000horse battery", "control characters"],
    ["x".repeat(257), "at most 256 characters"],
]

const ACCEPTED = ["correct horse battery", "Tr4ms-and-t3a-at-noon", FIXTURE_PASSWORD, CONSOLE_PASSWORD, "firmware-console-pw", "sync-glue-test-pw", "s3cret-lantern-path"]

describe("password rule", () => {
    for (const [pw, why] of REFUSED) {
        it("refuses " + JSON.stringify(pw.length > 40 ? pw.slice(0, 8) + "…" : pw) + " (" + why + ")", async () => {
            expect(passwordProblem(pw, "ana")).toContain(why)
            const e = await createUser(s.ctx, { name: "ana", password: pw, role: "operator" }).catch(x => x)
            expect(e).toBeInstanceOf(HubError)
            expect([e.statusCode, e.code, e.message]).toEqual([400, "bad_password", expect.stringContaining(why)])
        })
    }

    it("accepts long, uncommon passwords, the test fixtures' among them", async () => {
        for (const pw of ACCEPTED) expect([pw, passwordProblem(pw, "ana")]).toEqual([pw, null])
        for (const [name] of USERS) expect([name, passwordProblem(LIBRARY_PASSWORD, name)]).toEqual([name, null])
        expect(passwordProblem("password-op-1", "op-1")).toContain("the user's name")
        await createUser(s.ctx, { name: "ana", password: ACCEPTED[0], role: "operator" })
        const users = await s.db.db.selectFrom("users").select("name").execute()
        expect(users.map(u => u.name)).toEqual(["ana"])
    })
})
