// Live telemetry for the staff console's plot (hub/src/telemetry.ts, POST /api/device/v1/telemetry):
// while a cycle runs the device samples [uptimeMs, phase, filmDeciC, contactDeciC, forceMilliN]
// every SAMPLE_MS and posts what it has every POST_MS, through the sync's signed requests (only
// when no sync round holds the VM's one socket). Not evidence (the compliance record is): a
// batch that cannot be sent is dropped, and at most BATCH_MAX samples wait. Every allocation
// here is small (a post is ~200 characters), because it happens during a cycle: a panic then
// would restart the program mid-cycle (README, "Known problems" has the heap's figures). The answer carries
// the console's abort request, which acts like the ABORT button at the next control tick.
import * as ds from "@devicescript/core"
import { MANIFEST } from "./gen/manifest"
import { Controller } from "./core/controller"
import { DEVICE_API } from "./core/sync/signing"
import { SensorInputs } from "./hw/sensor-inputs"
import { DeviceSync } from "./sync"

/** 5 samples a second (the plot's resolution), posted once a second: ~200 characters of JSON a post */
const SAMPLE_MS = 200
const POST_MS = 1000
/** samples waiting at most (the hub takes 64 a request): newer ones are not kept while posts fail */
const BATCH_MAX = 10

export class Telemetry {
    /** samples not yet posted, as JSON arrays joined by commas (a string: no number[] in the heap) */
    private text = ""
    private n = 0
    private lastPostMs = 0
    private posting = false
    private running = false
    /** the cycle's number: the sequence number its record will take */
    private cycle = 0

    constructor(readonly sync: DeviceSync, readonly ctrl: Controller, readonly s: SensorInputs, readonly nextSeq: () => number) {
        setInterval(this.tick, SAMPLE_MS) // a bound method
    }

    async tick() {
        const c = this.ctrl
        const now = ds.millis()
        const running = c.cycle.running()
        if (running && !this.running) this.cycle = this.nextSeq()
        this.running = running
        if (running && this.n < BATCH_MAX) {
            const l = MANIFEST.limits
            const s = this.s
            this.text += (this.n ? ",[" : "[") + now + "," + c.phase() + "," + within(s.film.value, l.filmSensorMinDeciC, l.filmSensorMaxDeciC) + "," +
                within(s.contact.value, l.contactSensorMinDeciC, l.contactSensorMaxDeciC) + "," + within(s.force.value, l.forceSensorMinMilliN, l.forceSensorMaxMilliN) + "]"
            this.n++
        }
        if (this.n === 0 || this.posting || now - this.lastPostMs < POST_MS) return
        this.posting = true
        this.lastPostMs = now
        const body = '{"cycle":' + this.cycle + ',"samples":[' + this.text + "]}"
        this.text = ""
        this.n = 0
        try {
            const a = await this.sync.live("POST", DEVICE_API + "telemetry", body)
            if (a && a[1] && a[1].abort && c.cycle.running()) {
                console.log("abort requested from the console")
                c.softAbort = true
            }
        } catch (e) {
            // telemetry must never take the program down: the batch is dropped
        }
        this.posting = false
    }
}

/** v as an integer inside the sensor's range (the hub refuses a batch with a value outside it) */
function within(v: number, lo: number, hi: number): number {
    const r = Math.round(v)
    return !(r >= lo) ? lo : r > hi ? hi : r // (NaN: lo)
}
