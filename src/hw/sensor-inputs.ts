// Turns the sensor roles' reports into timestamped integer samples for the controller. A
// reading's time is when its report arrived, so a sensor that stops reporting goes stale
// even though its last value is still cached. Conversions to integer units happen here, once.
import * as ds from "@devicescript/core"
import { Io } from "./roles"
import { Sample } from "../core/safety/sensor-checks"

/** Applies a channel's two-point calibration to a raw integer reading. */
export interface Calibrator {
    apply(channel: string, raw: number): number
}

/** Standard gravity, m/s^2 (CGPM 1901): the WeightScale service reports kg. */
const G_MILLI_N_PER_KG = 9806.65

export class SensorInputs {
    readonly film: Sample = { value: 0, atMs: -1, peak: 0 }
    readonly contact: Sample = { value: 0, atMs: -1, peak: 0 }
    readonly force: Sample = { value: 0, atMs: -1, peak: 0 }
    readonly position: Sample = { value: 0, atMs: -1, peak: 0 }
    home = false
    doorClosed = false
    startPressed = false
    abortPressed = false

    constructor(io: Io, streamingMs: number, cal: Calibrator) {
        // DeviceScript: arrow functions cannot capture `this`; capture a local instead
        const self = this
        io.filmTemp.reading.subscribe(v => set(self.film, cal.apply("filmTemp", Math.round(v * 10))))
        io.contactTemp.reading.subscribe(v => set(self.contact, cal.apply("contactTemp", Math.round(v * 10))))
        io.force.reading.subscribe(v => set(self.force, cal.apply("force", Math.round(v * G_MILLI_N_PER_KG))))

        io.pressPos.reading.subscribe(v => set(self.position, Math.round(v * 1000000)))
        io.pressHome.pressed().subscribe(v => { self.home = !!v })
        io.door.reading.subscribe(v => { self.doorClosed = !!v })
        io.start.pressed().subscribe(v => { self.startPressed = !!v })
        io.abort.pressed().subscribe(v => { self.abortPressed = !!v })
        // ask each sensor for one reading per control tick once it is bound
        const sensors: ds.Sensor[] = [io.filmTemp, io.contactTemp, io.force, io.pressPos]
        sensors.forEach(s => {
            s.binding().subscribe(async bound => {
                if (bound) await s.streamingInterval.write(streamingMs)
            })
        })
    }

    /** Called after each control tick: the peaks restart from the latest readings. */
    consumed() {
        resetPeak(this.film)
        resetPeak(this.contact)
        resetPeak(this.force)
        resetPeak(this.position)
    }
}

function resetPeak(s: Sample) {
    s.peak = s.value
}

/** Records a reading; the peak holds the highest one since the last tick. */
function set(s: Sample, value: number) {
    s.value = value
    if (value > s.peak) s.peak = value
    s.atMs = ds.millis()
}
