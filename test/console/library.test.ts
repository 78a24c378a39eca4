// The template path through the browser: a designer's editor refuses a value outside the
// profile (naming the field) and submits a valid design; a reviewer loads their Ed25519 key
// into the page, registers it, sees the diff against the previous version, and approves by
// signing in the browser; the Node protocol device's next sync installs a bundle that lists
// the approved hash. A rejection needs a reason and shows on the public transparency page.
import { describe, it, expect, beforeAll, afterAll } from "vitest"
import { writeFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { generateKeyPairSync } from "node:crypto"
import { world, approvedTemplate, HAVE_CHROMIUM, SKIP_REASON, type World } from "./fixture"

describe.skipIf(!HAVE_CHROMIUM)("console library " + SKIP_REASON, () => {
    let w: World
    let keyFile: string
    beforeAll(async () => {
        w = await world()
        const { privateKey } = generateKeyPairSync("ed25519")
        keyFile = join(tmpdir(), "reviewer-" + process.pid + ".pem")
        writeFileSync(keyFile, privateKey.export({ type: "pkcs8", format: "pem" }).toString(), { mode: 0o600 })
        // version 1 of "Demo arch" is approved already: the review shows what version 2 changes
        await approvedTemplate(w)
    })
    afterAll(async () => {
        rmSync(keyFile, { force: true })
        await w?.close()
    })

    it("designer: the editor marks a value outside the profile, the hub names the field, a valid design is submitted", async () => {
        const p = w.page
        await w.login("designer")
        await p.getByLabel("Start from").selectOption({ label: "Demo arch v1 by open-smile" })
        await expect.poll(() => p.getByLabel("Version").inputValue()).toBe("2")
        await p.getByLabel("Film temperature (°C)").fill("90")
        // (polled: an earlier check's verdict, from the version picked above, can still be showing
        // an error when the field is filled, and the new check comes 300 ms after the last key)
        await expect.poll(() => p.locator("#ed-process-filmDeciC-err").textContent()).toBe("Outside the profile: 55 °C – 85 °C.")
        // the hub names the field, in the designer's words (editor.js inDesignerWords)
        await expect.poll(() => p.locator("#ed-verdict").textContent()).toContain("Film temperature: 90 °C is outside 55 °C – 85 °C (the regulation profile)")
        expect(await p.locator("#ed-verdict").getAttribute("class")).toContain("error")
        expect(await p.getByRole("button", { name: "Submit for review" }).isDisabled()).toBe(true)
        expect(await p.locator("#ed-process-filmDeciC-lim").textContent()).toBe("Profile: 55 °C – 85 °C")
        await w.shot("editor-refused")
        // the designer of record owns the lineage: u-designer submitted v1
        await p.getByLabel("Film temperature (°C)").fill("72")
        await p.locator("#ed-verdict.ok").waitFor()
        await p.getByRole("button", { name: "Submit for review" }).click()
        await p.getByRole("heading", { name: "Demo arch v2" }).waitFor()
        await w.logout()
    })

    it("reviewer: loads the key, registers it, sees the diff, approves by signing in the page; the device's bundle lists it", async () => {
        const p = w.page
        await w.login("reviewer")
        await p.getByRole("link", { name: "Demo arch v2" }).click()
        await p.locator(".change").first().waitFor()
        expect(await p.locator(".change").allTextContents()).toEqual(["version12", "process.filmDeciC700720"])
        expect(await p.getByRole("button", { name: "Approve and sign" }).isDisabled()).toBe(true)
        await p.getByLabel("Ed25519 private key (PKCS#8 PEM file)").setInputFiles(keyFile)
        await p.getByText("A signing key is loaded").waitFor()
        await p.getByRole("button", { name: "Register this public key" }).click()
        await p.getByText("Public key registered").waitFor()
        await p.getByLabel("Reason (public)").fill("Film 72.0 °C is inside DRC-2025 v3")
        await w.shot("review-item")
        await p.getByRole("button", { name: "Approve and sign" }).click()
        await p.getByText(/Recorded: approve/).waitFor()
        const row = await w.db.db.selectFrom("library_templates").selectAll().where("version", "=", 2).executeTakeFirstOrThrow()
        expect(row.status).toBe("approved")
        const client = await w.client()
        const round = await client.round()
        expect(round.ok).toBe(true)
        expect(client.approved).toContain(row.approved_hash)
        await w.logout()
    })

    it("a rejection needs a reason, and the reason is public", async () => {
        const p = w.page
        await w.login("designer")
        await p.getByLabel("Name", { exact: true }).fill("Too hot")
        await p.locator("#ed-verdict.ok").waitFor()
        await p.getByRole("button", { name: "Submit for review" }).click()
        await p.getByRole("heading", { name: "Too hot v1" }).waitFor()
        await w.logout()
        await w.login("reviewer")
        await p.getByRole("link", { name: "Too hot v1" }).click()
        await p.getByRole("button", { name: "Reject" }).click()
        await p.getByText("Say why it is rejected").waitFor()
        await p.getByLabel("Reason (public)").fill("Name suggests use above the profile")
        await p.getByRole("button", { name: "Reject" }).click()
        await p.getByText("Recorded: reject").waitFor()
        await w.logout()
        await p.goto(w.url + "/console/#/transparency")
        await p.locator("td", { hasText: "Name suggests use above the profile" }).waitFor()
        // the hub's public key, as GET /api/hub-key gives it, for checking export checkpoints
        const key = await (await p.request.get(w.url + "/api/hub-key")).json()
        await p.getByText("key id " + key.keyId).waitFor()
        expect(await p.getByLabel("Hub key").textContent()).toBe(key.publicKeyPem)
        await w.shot("transparency-decisions")
    })
})
