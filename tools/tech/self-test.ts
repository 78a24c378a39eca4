// npm run tech -- self-test [--bus HOST:PORT] [--device ID] [--timeout-ms N]
// Joins the device's Jacdac bus and checks, without changing anything on the device:
//   roles        every firmware role (src/hw/roles.ts) is bound to a service on the bus
//   sensors      each sensor answers and its raw readings sit inside the manifest's sensor
//                ranges (devicescript.json limits.*Sensor*, positionMin/MaxUm)
//   identity     DEVICE_ID and DEVICE_KEY as src/identity.ts accepts them (the key is never shown)
//   hub          the link node on the bus holds an http(s) HUB_URL and names the same device
//   calibration  the three channels' records load and verify as the firmware loads them, unexpired
//   fault        no latched fault (src/hw/persist.ts)
// Exit 0 when every check passes, 1 with the failures and what to do about each.
import { SRV_TEMPERATURE, SRV_WEIGHT_SCALE, SRV_DISTANCE, SRV_SWITCH, SRV_BUTTON, SRV_RELAY, SRV_MOTOR, SRV_LIGHT_BULB, SRV_BUZZER, SRV_CHARACTER_SCREEN, SRV_SETTINGS } from "jacdac-ts"
import { readManifest } from "../manifest-node"
import { CAL_CHANNELS } from "../../src/core/calibration/calibration"
import { DEVICE_ID_PATTERN } from "../../hub/src/devices"
import { parseOptions, intOption, str, faultAdvice, type TechIo } from "./common"
import { connectDevice, DEFAULT_BUS, DeviceLink, type RoleBinding } from "./device"
import { loadCalibration, readLatchedFault, dateOf, CHANNEL_NAMES, KEY_DEVICE_ID, KEY_DEVICE_KEY, KEY_HUB_URL } from "./device-state"

export const SELF_TEST_USAGE = "self-test [--bus HOST:PORT] [--device ID] [--timeout-ms N]\n" +
    `    checks the device on the Jacdac bus (default ${DEFAULT_BUS}: \`npx devs devtools\` with the device on USB):\n` +
    "    roles bound, sensors streaming plausible readings, identity, HUB_URL, calibrations, latched fault"

/** Standard gravity x 1000: the WeightScale reports kg, the firmware works in mN (src/hw/sensor-inputs.ts). */
export const MILLI_N_PER_KG = 9806.65

interface RoleSpec {
    role: string
    serviceClass: number
    what: string
}

/** The firmware's roles (src/hw/roles.ts ROLE, docs/roles.md; test/tech/state.test.ts checks the list). */
export const ROLE_SPECS: RoleSpec[] = [
    { role: "filmTemp", serviceClass: SRV_TEMPERATURE, what: "film temperature sensor" },
    { role: "contactTemp", serviceClass: SRV_TEMPERATURE, what: "contact (tip) temperature sensor" },
    { role: "force", serviceClass: SRV_WEIGHT_SCALE, what: "press load cell" },
    { role: "pressPos", serviceClass: SRV_DISTANCE, what: "press position sensor" },
    { role: "distance", serviceClass: SRV_DISTANCE, what: "arch-scan distance sensor" },
    { role: "door", serviceClass: SRV_SWITCH, what: "door/lid switch" },
    { role: "heaterSense", serviceClass: SRV_SWITCH, what: "heater-supply sense" },
    { role: "pressHome", serviceClass: SRV_BUTTON, what: "press home end stop" },
    { role: "start", serviceClass: SRV_BUTTON, what: "START button" },
    { role: "abort", serviceClass: SRV_BUTTON, what: "ABORT button" },
    { role: "heater", serviceClass: SRV_RELAY, what: "heater relay" },
    { role: "press", serviceClass: SRV_MOTOR, what: "press motor" },
    { role: "display", serviceClass: SRV_CHARACTER_SCREEN, what: "display" },
    { role: "statusLed", serviceClass: SRV_LIGHT_BULB, what: "status lamp" },
    { role: "buzzer", serviceClass: SRV_BUZZER, what: "buzzer" },
]

interface SensorSpec {
    role: string
    unit: string
    /** bus value -> the firmware's integer unit */
    toInt: (v: number) => number
    /** integer unit -> shown value */
    show: (n: number) => string
    min?: number
    max?: number
}

function sensorSpecs(): SensorSpec[] {
    const l = readManifest().limits
    const dC = (n: number) => (n / 10).toFixed(1) + " °C"
    return [
        { role: "filmTemp", unit: "0.1 °C", toInt: v => Math.round(v * 10), show: dC, min: l.filmSensorMinDeciC, max: l.filmSensorMaxDeciC },
        { role: "contactTemp", unit: "0.1 °C", toInt: v => Math.round(v * 10), show: dC, min: l.contactSensorMinDeciC, max: l.contactSensorMaxDeciC },
        { role: "force", unit: "mN", toInt: v => Math.round(v * MILLI_N_PER_KG), show: n => (n / 1000).toFixed(2) + " N", min: l.forceSensorMinMilliN, max: l.forceSensorMaxMilliN },
        { role: "pressPos", unit: "µm", toInt: v => Math.round(v * 1e6), show: n => (n / 1000).toFixed(2) + " mm", min: l.positionMinUm, max: l.positionMaxUm },
        { role: "distance", unit: "µm", toInt: v => Math.round(v * 1e6), show: n => (n / 1000).toFixed(1) + " mm", min: 0 },
        { role: "door", unit: "", toInt: v => (v ? 1 : 0), show: n => (n ? "closed" : "OPEN") },
        // the heater is off while a self-test runs: a live supply after the relay is a welded relay
        { role: "heaterSense", unit: "", toInt: v => (v ? 1 : 0), show: n => (n ? "LIVE" : "dead") },
        { role: "pressHome", unit: "", toInt: v => (v > 0 ? 1 : 0), show: n => (n ? "at home" : "not at home") },
        { role: "start", unit: "", toInt: v => (v > 0 ? 1 : 0), show: n => (n ? "pressed" : "released") },
        { role: "abort", unit: "", toInt: v => (v > 0 ? 1 : 0), show: n => (n ? "pressed" : "released") },
    ]
}

interface Check {
    group: string
    name: string
    ok: boolean
    detail: string
    /** what to do when it failed */
    todo?: string
}

const READINGS = 10

async function checkRoles(link: DeviceLink, checks: Check[]): Promise<RoleBinding[]> {
    const roles = await link.roles(ROLE_SPECS.map(r => r.role))
    for (const spec of ROLE_SPECS) {
        const b = roles.find(r => r.role === spec.role)
        const svc = b ? link.service(b) : undefined
        if (!b) checks.push({ group: "roles", name: spec.role, ok: false, detail: `${spec.what}: the firmware declares no such role`, todo: "this firmware is not the applicator's: flash it (npm run tech -- flash)" })
        else if (!b.deviceId) checks.push({ group: "roles", name: spec.role, ok: false, detail: `${spec.what}: not bound`, todo: `check the ${spec.what}'s wiring and connector (boards/README.md), then restart the device` })
        else if (!svc) checks.push({ group: "roles", name: spec.role, ok: false, detail: `${spec.what}: bound to ${b.deviceId}[${b.serviceIndex}], which is not on the bus`, todo: `check the ${spec.what}'s board/cable` })
        else checks.push({ group: "roles", name: spec.role, ok: true, detail: `${spec.what}, bound to ${b.deviceId}[${b.serviceIndex}]` })
    }
    return roles
}

async function checkSensors(link: DeviceLink, roles: RoleBinding[], checks: Check[], timeoutMs: number) {
    const specs = sensorSpecs()
    await Promise.all(specs.map(async spec => {
        const b = roles.find(r => r.role === spec.role)
        const svc = b && link.service(b)
        if (!svc) {
            checks.push({ group: "sensors", name: spec.role, ok: false, detail: "no readings: the role is not bound", todo: "see the roles above" })
            return
        }
        const raw = await link.readings(svc, READINGS, timeoutMs)
        if (raw.length === 0) {
            checks.push({ group: "sensors", name: spec.role, ok: false, detail: `no reading within ${timeoutMs} ms`, todo: "the sensor does not answer: check its cable and connector" })
            return
        }
        const ints = raw.map(spec.toInt)
        const lo = Math.min(...ints)
        const hi = Math.max(...ints)
        const mean = Math.round(ints.reduce((a, n) => a + n, 0) / ints.length)
        const out = (spec.min !== undefined && lo < spec.min) || (spec.max !== undefined && hi > spec.max)
        const range = spec.min !== undefined && spec.max !== undefined ? `, plausible ${spec.show(spec.min)}..${spec.show(spec.max)}` : ""
        const spread = spec.unit ? ` (${ints.length} readings, spread ${spec.show(hi - lo)}${range})` : ""
        let detail = spec.show(mean) + spread
        let ok = !out
        let todo: string | undefined = out ? "a reading outside the sensor's physical range means an open or shorted sensor: check its wiring (docs/faults.md E30)" : undefined
        if (ints.length < READINGS / 2 && spec.unit) {
            ok = false
            detail += `; only ${ints.length} readings in ${timeoutMs} ms`
            todo = "the sensor answers but does not stream: check its cable; restart the device"
        }
        if ((spec.role === "start" || spec.role === "abort") && hi) {
            ok = false
            todo = `the ${spec.role.toUpperCase()} button reads pressed: release it, or check it for a short`
        }
        if (spec.role === "door" && !lo) detail += " (close it before a cycle)"
        if (spec.role === "heaterSense" && hi) {
            ok = false
            todo = "the heater supply after the relay is live with the heater off: the relay is welded (docs/faults.md E23): replace it"
        }
        checks.push({ group: "sensors", name: spec.role, ok, detail, todo })
    }))
    // keep the table in the spec order whatever order the readings finished in
    const order = specs.map(s => s.role)
    const sensors = checks.filter(c => c.group === "sensors").sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name))
    const rest = checks.filter(c => c.group !== "sensors")
    checks.length = 0
    checks.push(...rest, ...sensors)
}

async function checkSettings(link: DeviceLink, checks: Check[]) {
    const provisionTodo = "provision the device (npm run tech -- provision, then flash: the identity travels in .env.local)"
    const id = await link.readJson(KEY_DEVICE_ID)
    const idv = id?.value
    if (typeof idv !== "string") checks.push({ group: "identity", name: KEY_DEVICE_ID, ok: false, detail: id ? "not a string" : "missing", todo: provisionTodo })
    else if (!DEVICE_ID_PATTERN.test(idv)) checks.push({ group: "identity", name: KEY_DEVICE_ID, ok: false, detail: `'${idv}' is not 1-32 of A-Z a-z 0-9 -`, todo: provisionTodo })
    else checks.push({ group: "identity", name: KEY_DEVICE_ID, ok: true, detail: idv })
    const key = await link.readJson(KEY_DEVICE_KEY)
    const kv = key?.value
    // never print the key, not even part of it
    if (typeof kv !== "string") checks.push({ group: "identity", name: KEY_DEVICE_KEY, ok: false, detail: key ? "present but not a string" : "missing", todo: provisionTodo })
    else if (!/^[0-9a-fA-F]{64}$/.test(kv)) checks.push({ group: "identity", name: KEY_DEVICE_KEY, ok: false, detail: `present but not 64 hex digits (${kv.length} characters)`, todo: provisionTodo })
    else checks.push({ group: "identity", name: KEY_DEVICE_KEY, ok: true, detail: "present (64 hex digits; not shown)" })

    // the hub's address is the link node's (the controller has no network code): the other
    // device on the applicator's bus holding HUB_URL
    let linkNode: { id: string; url: unknown; deviceId: unknown } | null = null
    for (const d of link.bus.devices({ serviceClass: SRV_SETTINGS })) {
        if (d === link.device) continue
        const other = new DeviceLink(link.bus, d)
        const url = await other.readJson(KEY_HUB_URL).catch(() => null)
        if (url === null) continue
        linkNode = { id: d.deviceId, url: url.value, deviceId: (await other.readJson(KEY_DEVICE_ID).catch(() => null))?.value }
        break
    }
    const linkTodo = "connect the link board to the applicator's bus and provision it (HUB_URL, DEVICE_ID and LINK_KEY from the hub's .env.local lines for the link)"
    if (!linkNode) {
        checks.push({ group: "hub", name: KEY_HUB_URL, ok: false, detail: "no link node on the bus (a device holding HUB_URL): records stay on the controller; no clock, so no cycle", todo: linkTodo })
    } else {
        let hubOk = false
        try {
            const u = new URL(String(linkNode.url))
            hubOk = typeof linkNode.url === "string" && (u.protocol === "http:" || u.protocol === "https:")
        } catch {
            hubOk = false
        }
        checks.push(hubOk
            ? { group: "hub", name: KEY_HUB_URL, ok: true, detail: `${String(linkNode.url)} (link node ${linkNode.id})` }
            : { group: "hub", name: KEY_HUB_URL, ok: false, detail: `link node ${linkNode.id}: '${String(linkNode.url)}' is not an http(s) address`, todo: linkTodo })
        const same = typeof idv === "string" && linkNode.deviceId === idv
        checks.push(same
            ? { group: "hub", name: "link " + KEY_DEVICE_ID, ok: true, detail: `the link node names the same device (${idv})` }
            : { group: "hub", name: "link " + KEY_DEVICE_ID, ok: false, detail: `the link node names '${String(linkNode.deviceId)}', the controller '${String(idv)}'`, todo: linkTodo })
    }

    const now = Math.floor(Date.now() / 1000)
    for (const ch of CAL_CHANNELS) {
        const st = await loadCalibration(link.kv, ch)
        const todo = `calibrate it: npm run tech -- calibrate --channel ${ch} --technician NAME`
        if (st.state !== "ok") {
            checks.push({ group: "calibration", name: ch, ok: false, detail: `${CHANNEL_NAMES[ch]}: ${st.why}`, todo })
            continue
        }
        const c = st.cal
        const days = Math.floor((c.expiresUnixS - now) / 86400)
        const what = `id ${c.id}, by ${c.technician} on ${dateOf(c.atUnixS)} against "${c.reference}", gain ${(c.gainPpm / 1e6).toFixed(4)}`
        if (c.expiresUnixS <= now) checks.push({ group: "calibration", name: ch, ok: false, detail: `${what}; EXPIRED on ${dateOf(c.expiresUnixS)}`, todo })
        else checks.push({ group: "calibration", name: ch, ok: true, detail: `${what}; valid until ${dateOf(c.expiresUnixS)} (${days} days)${days < 30 ? " - recalibrate soon" : ""}` })
    }

    const f = await readLatchedFault(link)
    if (!f) checks.push({ group: "fault", name: "latched", ok: true, detail: "none" })
    else {
        const adv = faultAdvice(f.code)
        checks.push({
            group: "fault", name: "latched", ok: false, detail: `${f.label}: ${f.name}`,
            todo: `${adv.todo} Once the cause is fixed: npm run tech -- clear-fault --technician NAME (or hold START+ABORT for 5 s)`,
        })
    }
}

export async function selfTest(argv: string[], io: TechIo): Promise<number> {
    const o = parseOptions(argv, ["bus", "device", "timeout-ms"])
    const timeoutMs = intOption(o, "timeout-ms", 15_000, 1000, 600_000)
    const link = await connectDevice(io, str(o, "bus") ?? DEFAULT_BUS, timeoutMs, str(o, "device"))
    try {
        const checks: Check[] = []
        io.out("checking roles...")
        const roles = await checkRoles(link, checks)
        io.out(`reading sensors (${READINGS} readings each)...`)
        await checkSensors(link, roles, checks, Math.min(timeoutMs, 5000))
        io.out("reading settings (identity, hub, calibrations, latched fault)...")
        await checkSettings(link, checks)
        const display = await link.displayText(roles.find(r => r.role === "display")).catch(() => null)

        io.out("")
        io.out(`self-test of applicator ${link.device.deviceId}`)
        let group = ""
        for (const c of checks) {
            if (c.group !== group) {
                group = c.group
                io.out(group)
            }
            io.out(`  ${c.ok ? "PASS" : "FAIL"}  ${c.name.padEnd(12)} ${c.detail}`)
        }
        if (display !== null) io.out(`display shows: ${JSON.stringify(display)}`)
        const failed = checks.filter(c => !c.ok)
        io.out("")
        if (failed.length === 0) {
            io.out(`self-test PASSED: ${checks.length} checks`)
            return 0
        }
        io.out(`self-test FAILED: ${failed.length} of ${checks.length} checks`)
        for (const c of failed) io.out(`  - ${c.group} ${c.name}: ${c.detail}\n      what to do: ${c.todo ?? "see above"}`)
        return 1
    } finally {
        await link.close()
    }
}
