// npm run tech -- flash --board ID [--port PATH] [--dry-run]
// Puts the firmware on a board over USB in four steps, each shown as it runs:
//   1. the board: boards/ID.board.json, listed in devicescript.json's boards;
//   2. the DeviceScript runtime image for the board's chip, which `devs flash` downloads from
//      GitHub releases and caches as .devicescript/cache/<file> (devicescript-cli.cjs,
//      fetchFW: the arch's bareUrl, file name = the URL's last part; an image older than 24 h
//      is downloaded again). Offline it must already be there: if it is missing, this says
//      which file, where to put it and where to download it;
//   3. the firmware build for this board (tools/build.ts), built/ID/bytecode.devs;
//   4. `devs bundle` (runtime with the board's pins, the program, and the settings from
//      .env.defaults and .env.local: the identity `provision` wrote) into
//      built/ID/bundle-ID-<offset>.bin, then `devs flash esp32 --board ID --file` that bundle.
// --dry-run stops after step 3 and prints the commands step 4 would run.
import { existsSync, readFileSync, statSync, utimesSync } from "node:fs"
import { connect } from "node:net"
import { join, relative } from "node:path"
import { ROOT, readManifest } from "../manifest-node"
import { buildBoards, imageOf } from "../build"
import { selectBoard } from "../generate"
import { DEVS_CLI } from "../devs"
import { spawn } from "node:child_process"
import { TechError, UsageError, parseOptions, need, str, type TechIo } from "./common"

export const FLASH_USAGE = "flash --board ID [--port PATH] [--dry-run]\n" +
    "    checks the board and the cached DeviceScript runtime image, builds the firmware, bundles it with .env.local\n" +
    "    and flashes it over USB (devs flash); --dry-run stops before anything touches the device"

/**
 * The runtime images `devs flash` fetches per chip: buildConfig.archs[chip].bareUrl in
 * node_modules/@devicescript/cli/built/devicescript-cli.cjs (2.16.4); test/tech/flash.test.ts
 * checks that the CLI still names these.
 */
export const RUNTIME_URLS: { [archId: string]: string } = {
    esp32c3: "https://github.com/microsoft/devicescript-esp32/releases/latest/download/devicescript-esp32c3-esp32c3_bare-0x0.bin",
    esp32s3: "https://github.com/microsoft/devicescript-esp32/releases/latest/download/devicescript-esp32s3-esp32s3_bare-0x0.bin",
}
/** where devs caches them, relative to the project folder it runs in */
export const DEVS_CACHE_DIR = ".devicescript/cache"
/** devs downloads a cached image again once it is older than this */
const DEVS_CACHE_MAX_AGE_MS = 24 * 3600 * 1000

export interface RuntimeImage {
    archId: string
    url: string
    /** absolute path where devs looks for it */
    path: string
    /** flash offset, from the file name (devs requires the -0x... suffix) */
    offset: string
}

export function runtimeImage(archId: string): RuntimeImage {
    const url = RUNTIME_URLS[archId]
    if (!url) throw new TechError(`no DeviceScript runtime is known for chip '${archId}'`, "use a board on an ESP32-C3 or ESP32-S3")
    const file = url.slice(url.lastIndexOf("/") + 1)
    return { archId, url, path: join(ROOT, DEVS_CACHE_DIR, file), offset: /-(0x[0-9a-f]+)\.bin$/.exec(file)![1] }
}

function boardArch(board: string): string {
    const m = readManifest()
    const file = join(ROOT, "boards", board + ".board.json")
    if (!m.boards.includes(board) || !existsSync(file))
        throw new UsageError(`unknown board '${board}': the boards are ${m.boards.join(", ")} (boards/*.board.json listed in devicescript.json)`)
    let archId: unknown
    try {
        archId = JSON.parse(readFileSync(file, "utf8")).archId
    } catch (e) {
        throw new TechError(`boards/${board}.board.json is not valid JSON (${(e as Error).message})`, "fix the board file (see boards/README.md)")
    }
    if (typeof archId !== "string") throw new TechError(`boards/${board}.board.json has no archId`, "fix the board file (see boards/README.md)")
    return archId
}

async function portFree(port: number): Promise<boolean> {
    return new Promise(resolve => {
        const s = connect(port, "127.0.0.1", () => {
            s.destroy()
            resolve(false)
        })
        s.once("error", () => resolve(true))
    })
}

/** Runs the DeviceScript CLI with its output shown live; resolves its exit code. */
function devsLive(io: TechIo, args: string[]): Promise<number> {
    return new Promise(resolve => {
        const child = spawn(process.execPath, [DEVS_CLI, ...args], { cwd: ROOT, env: { ...io.env, NO_COLOR: "1", FORCE_COLOR: "0" } })
        const relay = (chunk: Buffer) => {
            for (const l of chunk.toString().split(/\r?\n/)) if (l.trim()) io.out("    devs: " + l)
        }
        child.stdout.on("data", relay)
        child.stderr.on("data", relay)
        child.on("close", code => resolve(code ?? 1))
    })
}

export async function flash(argv: string[], io: TechIo): Promise<number> {
    const o = parseOptions(argv, ["board", "port"], ["dry-run"])
    const board = need(o, "board")
    const port = str(o, "port")
    const dryRun = o["dry-run"] === true

    io.out(`[1/4] board ${board}`)
    const archId = boardArch(board)
    io.out(`      boards/${board}.board.json, chip ${archId}`)

    io.out(`[2/4] DeviceScript runtime image for ${archId}`)
    const rt = runtimeImage(archId)
    const rel = relative(ROOT, rt.path)
    if (!existsSync(rt.path))
        throw new TechError(
            `the DeviceScript runtime image for ${archId} is missing: ${rt.path}\n` +
                `      devs flash downloads it from GitHub releases, which this machine cannot reach (or has not yet)`,
            `on a machine with internet access, download\n        ${rt.url}\n` +
                `      and copy it to ${rt.path}\n        (the file name must stay ${rel.slice(DEVS_CACHE_DIR.length + 1)}; the folder is ${join(ROOT, DEVS_CACHE_DIR)});\n` +
                `      then run flash again`,
        )
    const st = statSync(rt.path)
    if (st.size < 64 * 1024)
        throw new TechError(`${rt.path} is only ${st.size} bytes: not a runtime image (a failed download?)`, `download ${rt.url} again and replace it`)
    if (Date.now() - st.mtimeMs > DEVS_CACHE_MAX_AGE_MS) {
        // devs would try to download it again (and fail offline): mark the copy we have as fresh
        utimesSync(rt.path, new Date(), new Date())
        io.out(`      ${rel} (${st.size} bytes, from ${st.mtime.toISOString().slice(0, 10)}; timestamp refreshed so devs uses it offline)`)
    } else io.out(`      ${rel} (${st.size} bytes)`)

    io.out(`[3/4] building the ${imageOf(board).node} firmware for ${board} (${imageOf(board).entry}, about 10 s)...`)
    const m = readManifest()
    const { built, failed } = buildBoards(m, [board])
    if (failed.length) {
        // eslint-disable-next-line no-control-regex
        const output = failed[0].output.replace(/\x1b\[[0-9;]*m/g, "")
        const tooBig = /verification (error|failure):? -?1051/.test(output)
        throw new TechError(
            `the firmware build for ${board} failed` +
                (tooBig ? ": the program does not fit the VM's 64 KB function area (verifier error 1051)" : "") +
                "\n" + output.split("\n").filter(l => l.trim()).slice(0, 12).map(l => "      | " + l).join("\n"),
            tooBig ? "this firmware version cannot run on a device; flash a released version of this project" : "fix the compile error above (`npm run build` shows it in full), then run flash again",
        )
    }
    io.out(`      built/${board}/bytecode.devs, ${built[0].bytes} bytes`)

    const bundle = join(ROOT, "built", board, `bundle-${board}-${rt.offset}.bin`)
    const bundleArgs = ["bundle", imageOf(board).entry, "--board", board, "--flash-file", relative(ROOT, bundle)]
    const flashArgs = ["flash", "esp32", "--board", board, "--file", relative(ROOT, bundle), ...(port ? ["--port", port] : [])]
    const envLocal = join(ROOT, ".env.local")
    const env = existsSync(envLocal) ? readFileSync(envLocal, "utf8") : ""
    const identity = /^DEVICE_ID=(.*)$/m.exec(env)?.[1]
    // devs bundle writes .env.local into the image: the link node must never carry the device key
    if (imageOf(board).node === "link" && /^DEVICE_KEY=/m.test(env))
        throw new TechError(`.env.local holds DEVICE_KEY, which would be written into the link board's flash: the link holds only its transport key (LINK_KEY)`,
            "flash the link from a workspace whose .env.local has only DEVICE_ID, LINK_KEY and HUB_URL (the controller's DEVICE_KEY stays on the controller)")
    if (dryRun) {
        io.out("[4/4] dry run: would now run (in " + ROOT + ")")
        io.out("      devs " + bundleArgs.join(" "))
        io.out("      devs " + flashArgs.join(" "))
        io.out(identity ? `      with the identity in .env.local (DEVICE_ID=${identity})` : "      with no .env.local: the device would have no identity (run `npm run tech -- provision` first)")
        return 0
    }

    io.out(`[4/4] bundling and flashing ${board}`)
    if (!identity) io.out("      note: no .env.local with a DEVICE_ID: the device gets no identity and runs no cycle until provisioned (`npm run tech -- provision`, then flash again)")
    else io.out(`      identity from .env.local: DEVICE_ID=${identity} (the key goes into the device, not onto this screen)`)
    for (const p of [8081, 8082, 8083])
        if (!(await portFree(p)))
            throw new TechError(`port ${p} is in use: devs bundle runs its own devtools bus there`,
                "stop the simulator, `devs devtools` or any firmware test on this machine, then run flash again")
    selectBoard(m, board)
    try {
        io.out(`      devs ${bundleArgs.join(" ")}`)
        const b = await devsLive(io, bundleArgs)
        if (b !== 0 || !existsSync(bundle))
            throw new TechError(`devs bundle failed (exit ${b}); see its output above`, `check the runtime image ${rel} (download it again if in doubt) and run flash again`)
    } finally {
        selectBoard(m, m.boards[0])
    }
    io.out(`      bundle: ${relative(ROOT, bundle)}, ${statSync(bundle).size} bytes`)
    io.out("      connect the board by USB (hold BOOT while plugging it in if it is not found)")
    io.out(`      devs ${flashArgs.join(" ")}`)
    const f = await devsLive(io, flashArgs)
    if (f !== 0)
        throw new TechError(`devs flash failed (exit ${f}); see its output above`,
            "if esptool is missing: `pip install esptool`; if no port is found: plug the board in while holding BOOT, or give --port /dev/ttyACM0; then run flash again")
    io.out(`flashed ${board}. Next: npx devs devtools (serves the device's bus), then npm run tech -- self-test`)
    return 0
}
