// A sensor server that may stream every control tick. @devicescript/server's SensorServer
// clamps its streaming interval to at least 100 ms, which is two 50 ms control ticks: with
// the supervisor's stale window (safety.staleTicks periods) that would trip on healthy sensors.
// The ADC reads behind these servers take microseconds, so 20 ms is a safe floor.
import * as ds from "@devicescript/core"
import { SensorServer, SensorServerOptions } from "@devicescript/server"

/** lowest streaming interval allowed, ms (the main loop wakes at least every 10 ms) */
const FAST_MIN_INTERVAL_MS = 20
const MAX_INTERVAL_MS = 3600 * 1000

export class FastSensorServer extends SensorServer {
    constructor(spec: ds.ServiceSpec, options?: SensorServerOptions) {
        super(spec, options)
    }

    override set_streamingInterval(value: number) {
        this._streamingInterval = Math.constrain(value, FAST_MIN_INTERVAL_MS, MAX_INTERVAL_MS)
        if (this._interval) ds.updateInterval(this._interval, this._streamingInterval)
    }
}
