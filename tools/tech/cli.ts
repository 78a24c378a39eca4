// npm run tech -- COMMAND [options]: the technician's command line (README "For technicians").
// Exit 0 on success, 1 on a runtime failure (with what to do next), 2 on bad arguments (with
// the usage).
import "./quiet"
import { pathToFileURL } from "node:url"
import { TechError, UsageError, processIo, type TechIo } from "./common"
import { provision, PROVISION_USAGE } from "./provision"
import { flash, FLASH_USAGE } from "./flash"
import { selfTest, SELF_TEST_USAGE } from "./self-test"
import { calibrate, CALIBRATE_USAGE } from "./calibrate"
import { clearFault, CLEAR_FAULT_USAGE } from "./clear-fault"

const COMMANDS: { [name: string]: { run: (argv: string[], io: TechIo) => Promise<number>; usage: string } } = {
    provision: { run: provision, usage: PROVISION_USAGE },
    flash: { run: flash, usage: FLASH_USAGE },
    "self-test": { run: selfTest, usage: SELF_TEST_USAGE },
    calibrate: { run: calibrate, usage: CALIBRATE_USAGE },
    "clear-fault": { run: clearFault, usage: CLEAR_FAULT_USAGE },
}

function usageText(): string {
    return "usage: npm run tech -- COMMAND [options]   (COMMAND --help for one)\n\n" +
        Object.values(COMMANDS).map(c => "  " + c.usage).join("\n\n")
}

export async function main(argv: string[], io: TechIo): Promise<number> {
    const [cmd, ...rest] = argv
    if (cmd === "--help" || cmd === "-h" || cmd === "help") {
        io.out(usageText())
        return 0
    }
    const c = cmd === undefined ? undefined : COMMANDS[cmd]
    if (!c) {
        io.err(cmd === undefined ? "tech: give a command" : `tech: unknown command '${cmd}'`)
        io.err(usageText())
        return 2
    }
    if (rest.includes("--help") || rest.includes("-h")) {
        io.out("usage: npm run tech -- " + c.usage)
        return 0
    }
    try {
        return await c.run(rest, io)
    } catch (e) {
        if (e instanceof UsageError) {
            io.err(`tech ${cmd}: ${e.message}`)
            io.err("usage: npm run tech -- " + c.usage)
            return 2
        }
        if (e instanceof TechError) {
            io.err(`tech ${cmd}: FAILED: ${e.message}`)
            io.err(`  what to do: ${e.next}`)
            return 1
        }
        io.err(`tech ${cmd}: FAILED: ${(e as Error)?.stack ?? e}`)
        io.err("  what to do: this is unexpected; run it again, and report it with the output above if it repeats")
        return 1
    }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
    const io = processIo()
    main(process.argv.slice(2), io).then(
        code => process.exit(code),
        e => {
            console.error(e)
            process.exit(1)
        },
    )
}
