// The designer's editor speaks the designer's units and words, clears an error once the field
// is fixed, draws the design as typed, and says "version N exists" before Submit; a reviewer approving with a key the hub
// does not know is told to register it first.
import { describe, it, expect, beforeAll, afterAll } from "vitest"
import { writeFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { generateKeyPairSync } from "node:crypto"
import { world, approvedTemplate, HAVE_CHROMIUM, SKIP_REASON, type World } from "./fixture"
import { submitTemplate } from "../../hub/src/library/templates"
import { design } from "../hub/library-fixture"

describe.skipIf(!HAVE_CHROMIUM)("console editor and review messages " + SKIP_REASON, () => {
    let w: World
    let keyFile: string
    let v2: string
    beforeAll(async () => {
        w = await world()
        await approvedTemplate(w) // Demo arch v1; u-reviewer has the fixture's key registered
        v2 = (await submitTemplate(w.ctx, "u-designer", design(t => { t.version = 2; t.process.filmDeciC = 720 }), "DRC-2025")).templateId
        const { privateKey } = generateKeyPairSync("ed25519")
        keyFile = join(tmpdir(), "reviewer-new-" + process.pid + ".pem")
        writeFileSync(keyFile, privateKey.export({ type: "pkcs8", format: "pem" }).toString(), { mode: 0o600 })
    })
    afterAll(async () => {
        rmSync(keyFile, { force: true })
        await w?.close()
    })

    it("the hub's refusal in the designer's units and words, not field paths and tenths of a degree", async () => {
        const p = w.page
        await w.login("designer")
        await p.getByLabel("Name", { exact: true }).fill("Hot film")
        // a film that may not exceed 80 °C, heated to 84 °C (inside the profile's 55-85 °C: the film's own limit refuses it)
        await p.getByLabel("Film maximum (°C)").fill("80")
        await p.getByLabel("Film temperature (°C)").fill("84")
        await expect.poll(() => p.locator("#ed-verdict").textContent()).toBe("The hub refuses it: Film temperature: 84 °C is outside 60 °C – 80 °C (the film's own limits)")
        expect(await p.locator("#ed-verdict").textContent()).not.toMatch(/DeciC|\[|\.\./)
        expect(await p.locator("#ed-process-filmDeciC-err").textContent()).toBe("Film temperature: 84 °C is outside 60 °C – 80 °C (the film's own limits)")
        // the picture of the design as typed follows the fields
        expect(await p.locator("#ed-picture #tpl-process").getAttribute("aria-label")).toContain("film heated to 84.0 °C")
        expect(await p.locator("#ed-picture #tpl-arch polyline").getAttribute("points")).toBeTruthy()
        await w.shot("editor-words")
        // fixed: the field's error and mark go
        await p.getByLabel("Film temperature (°C)").fill("70")
        await p.getByLabel("Film maximum (°C)").fill("90")
        await p.locator("#ed-verdict.ok").waitFor()
        expect(await p.locator("#ed-process-filmDeciC-err").textContent()).toBe("")
        expect(await p.getByLabel("Film temperature (°C)").getAttribute("aria-invalid")).toBe("false")
    })

    it("an error on a field outside the number fields (the name) clears once it is fixed", async () => {
        const p = w.page
        await p.getByLabel("Name", { exact: true }).fill("")
        await p.locator("#ed-verdict.error").waitFor()
        await expect.poll(() => p.locator("#ed-name-err").textContent()).toMatch(/^Name: /)
        expect(await p.getByLabel("Name", { exact: true }).getAttribute("aria-invalid")).toBe("true")
        await p.getByLabel("Name", { exact: true }).fill("Fixed name")
        await p.locator("#ed-verdict.ok").waitFor()
        expect(await p.locator("#ed-name-err").textContent()).toBe("")
        expect(await p.getByLabel("Name", { exact: true }).getAttribute("aria-invalid")).toBe("false")
    })

    it("'version 1 exists' is said before Submit, with the next free version", async () => {
        const p = w.page
        await p.getByLabel("Start from").selectOption({ label: "Demo arch v1 by open-smile" })
        await expect.poll(() => p.getByLabel("Version").inputValue()).toBe("2")
        // v2 is submitted already (waiting for review): 3 is next
        await expect.poll(() => p.locator("#ed-version-err").textContent()).toBe("Version 2 of \"Demo arch\" exists already: submit this design as version 3.")
        expect(await p.getByRole("button", { name: "Submit for review" }).isDisabled()).toBe(true)
        await p.getByLabel("Version").fill("1")
        await expect.poll(() => p.locator("#ed-version-err").textContent()).toBe("Version 1 of \"Demo arch\" exists already: submit this design as version 3.")
        await w.shot("editor-version-exists")
        await p.getByLabel("Version").fill("3")
        await p.locator("#ed-verdict.ok").waitFor()
        expect(await p.locator("#ed-version-err").textContent()).toBe("")
        expect(await p.getByRole("button", { name: "Submit for review" }).isDisabled()).toBe(false)
        await w.logout()
    })

    it("reviewer: approving with an unregistered key says 'register your key first'; registered, it approves", async () => {
        const p = w.page
        await w.login("reviewer")
        await p.goto(w.url + "/console/#/review/" + v2)
        await p.getByLabel("Ed25519 private key (PKCS#8 PEM file)").setInputFiles(keyFile)
        await p.getByText("A signing key is loaded").waitFor()
        await p.getByLabel("Reason (public)").fill("Fits DRC-2025 v3")
        await p.getByRole("button", { name: "Approve and sign" }).click()
        await expect.poll(() => p.locator("#status").textContent()).toMatch(/^Register your key first/)
        expect(await p.evaluate(() => document.activeElement?.id)).toBe("key-register")
        await w.shot("review-register-first")
        const row = await w.db.db.selectFrom("library_templates").select("status").where("template_id", "=", v2).executeTakeFirstOrThrow()
        expect(row.status).toBe("submitted")
        await p.getByRole("button", { name: "Register this public key" }).click()
        await p.getByText("Public key registered").waitFor()
        await p.getByRole("button", { name: "Approve and sign" }).click()
        await p.getByText(/Recorded: approve/).waitFor()
        await w.logout()
    })
})
