// Preloaded into every firmware VM's process (`node -r`): the VM's clock made monotonic, as a
// chip's timer is. The DeviceScript WASM runtime reads its time from Date.now() (`em_time_now`
// in @devicescript/cli 2.16.4), the machine's wall clock, which is stepped now and then (NTP,
// a virtual machine restored from a snapshot). A step forward of 2.75 s made every sensor
// reading look 2.75 s old to the firmware at once: E31 (sensor lost) in two scenarios of one run,
// with no stall of any process (docs/target-speed.md, "The VM's clock"). A backward step would
// hold its timers instead. Date.now() here is the wall clock at the process's start plus the
// monotonic time since: the same time of day to within the clock's slew, never stepped.
"use strict"
const { performance } = require("node:perf_hooks")
const origin = performance.timeOrigin
Date.now = function now() {
    return Math.floor(origin + performance.now())
}
