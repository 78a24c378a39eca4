// npm run tech -- provision --hub URL --user NAME [--device-id ID] [--label TEXT] [--out FILE] [--force]
// Registers a new applicator at the hub as a technician and writes the hub's answer, the
// device's .env.local (DEVICE_ID, DEVICE_KEY, HUB_URL), where DeviceScript deploys it into the
// device's settings (`npm run tech -- flash` bundles it). The key leaves the hub only in that
// answer: it goes into the file (mode 0600) and is never printed.
import { accessSync, chmodSync, constants, existsSync, writeFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { ROOT } from "../manifest-node"
import { DEVICE_ID_PATTERN } from "../../hub/src/devices"
import { TechError, UsageError, parseOptions, need, str, type TechIo } from "./common"

export const PROVISION_USAGE = "provision --hub URL --user NAME [--device-id ID] [--label TEXT] [--out FILE] [--force]\n" +
    "    registers a new device at the hub (you log in as a technician; password from HUB_PASSWORD or the first line of stdin)\n" +
    "    and writes its .env.local (default: the project's .env.local, which `flash` bundles into the device)"

const TIMEOUT_MS = 15_000

interface Answer {
    status: number
    body: any
}

async function call(hub: string, method: string, path: string, body: unknown, token?: string): Promise<Answer> {
    let r: Response
    try {
        r = await fetch(hub + path, {
            method,
            headers: { "content-type": "application/json", ...(token ? { authorization: "Bearer " + token } : {}) },
            body: body === undefined ? undefined : JSON.stringify(body),
            signal: AbortSignal.timeout(TIMEOUT_MS),
        })
    } catch (e) {
        const cause = (e as { cause?: { code?: string; message?: string } }).cause
        const why = cause?.code ?? cause?.message ?? (e as Error).message
        throw new TechError(`the hub at ${hub} is unreachable (${why})`,
            "check the address and that the hub runs (`npm run hub -- serve` on the hub machine), and this machine's network; then run provision again")
    }
    const text = await r.text()
    let parsed: any = null
    try {
        parsed = text ? JSON.parse(text) : null
    } catch {
        parsed = null
    }
    return { status: r.status, body: parsed }
}

function hubError(a: Answer): string {
    const e = a.body?.error
    return e ? `${e.code}: ${e.message}` : `HTTP ${a.status}`
}

async function readPassword(io: TechIo, user: string): Promise<string> {
    const fromEnv = io.env["HUB_PASSWORD"]
    if (fromEnv !== undefined && fromEnv !== "") return fromEnv
    if (io.interactive) io.out(`password for ${user} (it is echoed; set HUB_PASSWORD to avoid that):`)
    const line = await io.readLine()
    if (line === null || line === "") throw new UsageError("no password: set HUB_PASSWORD or give it as the first line of stdin")
    return line
}

export async function provision(argv: string[], io: TechIo): Promise<number> {
    const o = parseOptions(argv, ["hub", "user", "device-id", "label", "out"], ["force"])
    let hub = need(o, "hub")
    const user = need(o, "user")
    const deviceId = str(o, "device-id")
    const label = str(o, "label")
    let url: URL
    try {
        url = new URL(hub)
    } catch {
        throw new UsageError(`--hub '${hub}' is not a URL (e.g. http://hub.clinic.local:8090)`)
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError("--hub must be an http:// or https:// URL")
    hub = hub.replace(/\/+$/, "")
    if (deviceId !== undefined && !DEVICE_ID_PATTERN.test(deviceId)) throw new UsageError("--device-id must be 1-32 of A-Z a-z 0-9 -")
    if (label !== undefined && (label.length > 64 || !/^[\x20-\x7e]*$/.test(label))) throw new UsageError("--label must be at most 64 printable ASCII characters")
    const out = resolve(io.cwd, str(o, "out") ?? join(ROOT, ".env.local"))
    const force = o["force"] === true

    // refuse before the hub creates anything: the key is shown once, so the file must be writable
    if (existsSync(out) && !force)
        throw new TechError(`${out} already exists (it may hold another device's key)`,
            "move it away, choose another file with --out, or overwrite it with --force")
    try {
        accessSync(dirname(out), constants.W_OK)
    } catch {
        throw new TechError(`cannot write into ${dirname(out)}`, "choose a writable folder with --out")
    }
    const password = await readPassword(io, user)

    io.out(`logging in to ${hub} as ${user}...`)
    const login = await call(hub, "POST", "/api/auth/login", { name: user, password, bearer: true })
    if (login.status === 401) throw new TechError(`the hub refused the login for '${user}' (${hubError(login)})`, "check the user name and password (HUB_PASSWORD or stdin); a hub administrator can create a technician account with `npm run hub -- user add --role technician`")
    if (login.status !== 200 || typeof login.body?.token !== "string")
        throw new TechError(`login failed (${hubError(login)})`, "check that --hub points at a Smile Film hub")
    const token: string = login.body.token
    try {
        if (login.body.role !== "technician")
            throw new TechError(`'${user}' has the ${login.body.role} role at this hub; provisioning a device needs a technician account`,
                "log in with a technician account (a hub administrator creates one with `npm run hub -- user add --role technician`)")
        io.out(`registering ${deviceId ? "device " + deviceId : "a new device"}...`)
        const body: { deviceId?: string; label?: string } = {}
        if (deviceId !== undefined) body.deviceId = deviceId
        if (label !== undefined) body.label = label
        const r = await call(hub, "POST", "/api/devices", body, token)
        if (r.status === 409)
            throw new TechError(`the hub already has a device ${deviceId ?? ""} (${hubError(r)})`.replace("  ", " "),
                "its key is never shown again: if this is the same physical device, keep using its existing .env.local; otherwise choose another --device-id (or none, and the hub picks one)")
        if (r.status === 403) throw new TechError(`the hub refused (${hubError(r)})`, "log in with a technician account")
        if (r.status === 400) throw new TechError(`the hub refused the request (${hubError(r)})`, "correct the option it names and try again")
        if (r.status !== 201 || typeof r.body?.envLocal !== "string" || typeof r.body?.deviceId !== "string")
            throw new TechError(`the hub did not register the device (${hubError(r)})`, "see the hub's log; try again")
        try {
            writeFileSync(out, r.body.envLocal, { mode: 0o600, flag: force ? "w" : "wx" })
            chmodSync(out, 0o600)
        } catch (e) {
            throw new TechError(`device ${r.body.deviceId} was registered, but writing ${out} failed (${(e as Error).message}); its key is lost`,
                "free the file or choose another --out, and provision again with a new device id (ask the hub administrator to retire " + r.body.deviceId + ")")
        }
        io.out(`device ${r.body.deviceId} registered at ${hub}`)
        io.out(`its identity (DEVICE_ID, DEVICE_KEY, HUB_URL) is in ${out} (mode 600; the key is not shown)`)
        io.out(`next: npm run tech -- flash --board BOARD   (bundles ${out === join(ROOT, ".env.local") ? ".env.local" : "the project's .env.local"} into the device's settings)`)
        return 0
    } finally {
        await call(hub, "POST", "/api/auth/logout", undefined, token).catch(() => undefined)
    }
}
