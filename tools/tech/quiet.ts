// Imported first by cli.ts, before jacdac-ts loads (it captures console.warn/debug when its
// module is evaluated): its transport narration (debug) and its notes on frames it drops
// (a corrupt frame is dropped; the commands ask again) are not for the technician.
// TECH_DEBUG=1 keeps them.
if (!process.env["TECH_DEBUG"]) {
    const warn = console.warn.bind(console)
    console.debug = () => undefined
    console.warn = (...args: unknown[]) => {
        if (typeof args[0] === "string" && /ms: (crc mismatch|got only|unexpected packet len|empty packet)/.test(args[0])) return
        warn(...args)
    }
}
export {}
