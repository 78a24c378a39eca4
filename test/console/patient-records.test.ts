// Records with their patient: an operator prepares a session for PT-0042, the device runs it
// and uploads the cycle's record (with its arch fit); the record's detail shows the fit, the
// session's patient reference (operators only: an auditor sees neither it nor the report), the
// cycle's plot from the telemetry the hub kept, and
// no rows of zeros for phases that never ran; a search by patient reference opens a printable
// per-patient report (also written as a PDF).
import { describe, it, expect, beforeAll, afterAll } from "vitest"
import { join } from "node:path"
import { world, approvedTemplate, prepareInBrowser, HAVE_CHROMIUM, SKIP_REASON, SHOTS, DEVICE_ID, type World } from "./fixture"
import { cycleDraft } from "../../hub/src/device-client"

describe.skipIf(!HAVE_CHROMIUM)("console patient records " + SKIP_REASON, () => {
    let w: World
    beforeAll(async () => {
        w = await world()
        const hash = await approvedTemplate(w)
        const client = await w.client()
        expect((await client.round()).ok).toBe(true)
        // a cycle without a session first (START pressed on the device alone)
        await client.append(cycleDraft(1, client.nowUnixS()))
        expect((await client.round()).ok).toBe(true)
        await w.login("operator")
        await prepareInBrowser(w, hash, "PT-0042")
        const s = await w.dev("GET", "session")
        const sessionId = (s.body as any).sessionId
        expect((await w.dev("POST", "session/state", { sessionId, state: "started", cycle: 2 })).status).toBe(204)
        // the cycle's live telemetry, which the hub keeps for the record's plot
        expect((await w.dev("POST", "telemetry", { cycle: 2, samples: [[1000, 2, 500, 300, 0], [1050, 3, 600, 300, 0], [1100, 4, 700, 310, 15000]] })).status).toBe(200)
        const d = cycleDraft(2, client.nowUnixS())
        d.operatorId = "u-operator"
        d.templateHash = hash
        d.fit = { rmsUm: 42, worstUm: 120, coveragePermille: 920, scalePpm: 1012000, offsetXUm: 300, offsetYUm: -100, rotationMicroRad: 10000, accepted: 1 }
        // the press never ran (aborted before it): a phase without samples, and one that never started
        d.phases[3] = { ...d.phases[3], samples: 0, filmMinDeciC: 0, filmMaxDeciC: 0, filmMeanDeciC: 0, contactMaxDeciC: 0, forceMinMilliN: 0, forceMaxMilliN: 0, forceMeanMilliN: 0 }
        d.phases[6] = { phase: 7, durationMs: 0, samples: 0, filmMinDeciC: 0, filmMaxDeciC: 0, filmMeanDeciC: 0, contactMaxDeciC: 0, forceMinMilliN: 0, forceMaxMilliN: 0, forceMeanMilliN: 0 }
        await client.append(d)
        expect((await client.round()).ok).toBe(true)
        expect((await w.dev("POST", "session/state", { sessionId, state: "ended", outcome: 1 })).status).toBe(204)
    })
    afterAll(async () => w?.close())

    it("operator: the detail shows the patient reference, the fit, and no rows of zeros", async () => {
        const p = w.page
        await p.goto(w.url + "/console/#/records")
        await p.locator("#rec-count").waitFor()
        await p.getByRole("row").filter({ hasText: "u-operator" }).getByRole("button", { name: "Details" }).click()
        await p.getByRole("heading", { name: "Record " + DEVICE_ID + " #2" }).waitFor()
        expect(await p.locator("#rec-patient").textContent()).toBe("PT-0042")
        await p.waitForFunction(() => document.getElementById("record-plot")?.dataset["drawn"] === "3")
        const fit = await p.locator("#rec-detail dl.fit").textContent()
        expect(fit).toContain("accepted")
        expect(fit).toContain("0.042 mm / 0.120 mm")
        expect(fit).toContain("92.0 %")
        // six phases ran; the one without samples shows dashes, not 0.0 °C
        const rows = p.locator("#rec-detail details.cycle table tbody tr")
        expect(await rows.count()).toBe(6)
        expect(await rows.nth(3).textContent()).toBe("press2.4 s–––")
        expect(await p.locator("#rec-detail").textContent()).not.toContain("0.0 °C / 0.0 °C")
        await w.shot("record-detail-operator")
        // the record made without a session says so
        await p.getByRole("row").filter({ hasText: "op-1" }).getByRole("button", { name: "Details" }).click()
        await p.getByRole("heading", { name: "Record " + DEVICE_ID + " #1" }).waitFor()
        expect(await p.locator("#rec-patient").textContent()).toBe("none (not started from a console session)")
        expect(await p.locator("#record-plot").count()).toBe(0)
        expect(await p.locator("#rec-detail").textContent()).toContain("No arch fit recorded")
    })

    it("operator: search by patient reference opens a printable per-patient report", async () => {
        const p = w.page
        await p.goto(w.url + "/console/#/records")
        await p.getByLabel("Patient reference").fill("PT-0042")
        await p.getByRole("button", { name: "Find patient's cycles" }).click()
        await p.getByRole("heading", { name: "Patient PT-0042: cycle report" }).waitFor()
        const cycles = p.locator(".patient-cycle")
        expect(await cycles.count()).toBe(1)
        expect(await cycles.locator("dd.rec").textContent()).toMatch(/^seq 2 /)
        expect(await cycles.locator("h2").textContent()).toContain("complete")
        expect(await cycles.locator("dl.fit").textContent()).toContain("accepted")
        await w.shot("patient-report")
        await p.emulateMedia({ media: "print" })
        expect(await p.locator("header.top").isVisible()).toBe(false)
        expect(await p.getByRole("button", { name: "Print report" }).isVisible()).toBe(false)
        await p.pdf({ path: join(SHOTS, "patient-report.pdf"), format: "A4" })
        await p.emulateMedia({ media: "screen" })
        await p.goto(w.url + "/console/#/patient/PT-0043")
        await p.locator("#patient-none").waitFor()
        await w.logout()
    })

    it("auditor: the cycle's plot but no patient reference in the detail, no patient report", async () => {
        const p = w.page
        await w.login("auditor")
        await p.locator("#rec-count").waitFor()
        expect(await p.getByLabel("Patient reference").count()).toBe(0)
        await p.getByRole("row").filter({ hasText: "u-operator" }).getByRole("button", { name: "Details" }).click()
        await p.getByRole("heading", { name: "Record " + DEVICE_ID + " #2" }).waitFor()
        expect(await p.locator("#rec-patient").count()).toBe(0)
        expect(await p.locator("#rec-detail").textContent()).not.toContain("PT-0042")
        // the cycle's plot, without the patient
        await p.waitForFunction(() => document.getElementById("record-plot")?.dataset["drawn"] === "3")
        await p.goto(w.url + "/console/#/patient/PT-0042")
        await p.getByRole("heading", { name: "Not for your role" }).waitFor()
        await w.logout()
    })
})
