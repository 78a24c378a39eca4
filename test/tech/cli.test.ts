// The technician command line without hardware or a bus: usage and exit codes, flash up to the
// hardware boundary (board validation, the offline message naming the missing runtime image;
// the build step is in sim.test.ts, after the simulator's build: builds share .devicescript/bin), and the facts the commands take from elsewhere in the project, checked
// against their sources so they cannot drift.
import { describe, it, expect } from "vitest"
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { ROOT } from "../../tools/manifest-node"
import { main } from "../../tools/tech/cli"
import { RUNTIME_URLS, DEVS_CACHE_DIR, runtimeImage } from "../../tools/tech/flash"
import { CAL_PREFIX } from "../../tools/tech/device-state"
import { ROLE_SPECS, MILLI_N_PER_KG } from "../../tools/tech/self-test"
import { gestureSeconds, KEY_CLEAR_REQ } from "../../tools/tech/clear-fault"
import { CalibrationStore, saveCalibration } from "../../src/core/calibration/store"
import { makeCalibration, CAL_CHANNELS } from "../../src/core/calibration/calibration"
import { MemoryKv, KV_MAX_KEY_CHARS } from "../../src/core/store/kv"
import { nodeCrypto } from "../../src/node/crypto-node"
import { recordingIo, runTech } from "./support"

const DEVS_SOURCE = join(ROOT, "node_modules/@devicescript/cli/built/devicescript-cli.cjs")

describe("tech command line", () => {
    it("without a command prints the usage and exits 2 (the real entry point)", async () => {
        const r = await runTech([])
        expect(r.code).toBe(2)
        expect(r.out).toContain("usage: npm run tech -- COMMAND")
        for (const c of ["provision", "flash", "self-test", "calibrate", "clear-fault"]) expect(r.out).toContain(c)
    })

    it("refuses unknown commands and options with exit 2 and the usage", async () => {
        const a = recordingIo()
        expect(await main(["frobnicate"], a)).toBe(2)
        expect(a.text()).toContain("unknown command 'frobnicate'")
        const b = recordingIo()
        expect(await main(["self-test", "--bogus"], b)).toBe(2)
        expect(b.text()).toContain("unknown option --bogus")
        expect(b.text()).toContain("usage: npm run tech -- self-test")
        const c = recordingIo()
        expect(await main(["calibrate", "--channel", "humidity", "--technician", "t1"], c)).toBe(2)
        expect(c.text()).toContain("--channel must be one of filmTemp, contactTemp, force")
        const d = recordingIo()
        expect(await main(["clear-fault", "--technician", "bad name|x"], d)).toBe(2)
        expect(d.text()).toContain("--technician must be 1-32 of")
        const e = recordingIo()
        expect(await main(["calibrate", "--channel", "force", "--technician", "t1", "--yes"], e)).toBe(2)
        expect(e.text()).toContain("--yes (non-interactive) needs --low-ref, --high-ref and --reference")
        const f = recordingIo()
        expect(await main(["self-test", "--bus", "nowhere"], f)).toBe(2)
        expect(f.text()).toContain("--bus must be HOST:PORT")
    })

    it("--help prints one command's usage and exits 0", async () => {
        const io = recordingIo()
        expect(await main(["flash", "--help"], io)).toBe(0)
        expect(io.text()).toContain("flash --board ID")
    })

    it("a command that needs the bus says how to get one when nothing listens", async () => {
        const io = recordingIo()
        // port 9 (discard) on loopback: nothing listens there
        expect(await main(["self-test", "--bus", "127.0.0.1:9", "--timeout-ms", "1000"], io)).toBe(1)
        expect(io.text()).toContain("no Jacdac bus at 127.0.0.1:9")
        expect(io.text()).toContain("npx devs devtools")
    })
})

describe("tech flash, up to the hardware", () => {
    it("refuses an unknown board with exit 2, naming the boards there are", async () => {
        const io = recordingIo()
        expect(await main(["flash", "--board", "smile_x9"], io)).toBe(2)
        expect(io.text()).toContain("unknown board 'smile_x9': the boards are smile_c3, smile_s3")
        const io2 = recordingIo()
        expect(await main(["flash"], io2)).toBe(2)
        expect(io2.text()).toContain("--board is required")
    })

    it("offline, names the missing runtime image, where it goes and where to download it", async context => {
        const rt = runtimeImage("esp32s3")
        if (existsSync(rt.path)) context.skip() // a runtime image is cached here: the offline path cannot happen
        const io = recordingIo()
        expect(await main(["flash", "--board", "smile_s3"], io)).toBe(1)
        const t = io.text()
        expect(t).toContain("[1/4] board smile_s3")
        expect(t).toContain("chip esp32s3")
        expect(t).toContain(`is missing: ${join(ROOT, ".devicescript/cache/devicescript-esp32s3-esp32s3_bare-0x0.bin")}`)
        expect(t).toContain("download\n        " + RUNTIME_URLS["esp32s3"])
        expect(t).toContain(`copy it to ${rt.path}`)
        expect(t).not.toContain("[3/4]") // nothing built, nothing flashed
    })

    it("knows the runtime images by the names and place devs flash uses (devicescript-cli.cjs)", () => {
        const src = readFileSync(DEVS_SOURCE, "utf8")
        for (const url of Object.values(RUNTIME_URLS)) expect(src).toContain(`bareUrl: "${url}"`)
        expect(src).toContain(`const cachedFolder = "${DEVS_CACHE_DIR}/"`)
        expect(src).toContain("Date.now() - st.mtime.getTime() < 24 * 3600 * 1e3")
    })
})

describe("what the commands take from the firmware", () => {
    it("the calibration prefixes are CalibrationStore's", async () => {
        for (const ch of CAL_CHANNELS) {
            const kv = new MemoryKv()
            await saveCalibration(new CalibrationStore(kv, nodeCrypto), makeCalibration({
                channel: ch, refLow: 0, readLow: 0, refHigh: 10000, readHigh: 10000, technician: "t", reference: "r",
                atUnixS: 1_750_000_000, expiresUnixS: 1_750_086_400,
            }, nodeCrypto))
            expect(kv.keys().length).toBeGreaterThan(0)
            for (const k of kv.keys()) expect(k.startsWith(CAL_PREFIX[ch])).toBe(true)
        }
    })

    it("the roles are src/hw/roles.ts's, and readings convert as src/hw/sensor-inputs.ts does", () => {
        const roles = readFileSync(join(ROOT, "src/hw/roles.ts"), "utf8")
        // ROLE is parsed from a JSON string in the firmware (its 64 KB function area)
        const json = /export const ROLE: RoleNames = JSON.parse\(\s*'([^']+)'\)/.exec(roles)
        const names = Object.values(JSON.parse(json ? json[1] : "{}") as Record<string, string>)
        expect(ROLE_SPECS.map(r => r.role).sort()).toEqual(names.sort())
        const inputs = readFileSync(join(ROOT, "src/hw/sensor-inputs.ts"), "utf8")
        expect(inputs).toContain(`G_MILLI_N_PER_KG = ${MILLI_N_PER_KG}`)
        expect(inputs).toContain(`onReading(this, io.filmTemp, this.film, 10, cal, "filmTemp")`)
        expect(inputs).toContain(`onReading(this, io.force, this.force, G_MILLI_N_PER_KG, cal, "force")`)
        expect(inputs).toContain("const raw = Math.round(pkt.decode() * scale)")
    })

    it("the clear request key fits a settings key, and the gesture time is the control loop's", () => {
        expect(KEY_CLEAR_REQ.length).toBeLessThanOrEqual(KV_MAX_KEY_CHARS)
        const loop = readFileSync(join(ROOT, "src/control-loop.ts"), "utf8")
        expect(loop).toContain(`CLEAR_HOLD_MS = ${gestureSeconds() * 1000}`)
    })
})
