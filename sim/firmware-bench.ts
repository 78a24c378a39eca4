// The simulator's test-bench image, for `npm run bench` only: the control composition of
// src/main.ts (src/app.ts) arming the process the simulator wrote to flash ("simproc" blob)
// without an approval check, and keeping no compliance records, so that a benchmark can run
// more cycles than the record queue holds without a hub to acknowledge them. The scenarios
// run the device image (sim/firmware-device.ts). Never built for a board.
import "./firmware-lag"
import { startApplicator } from "../src/app"
import { SettingsKv } from "../src/hw/kv-settings"
import { dsCrypto } from "../src/hw/crypto-ds"
import { BlobStore } from "../src/core/store/blob"
import { Controller } from "../src/core/controller"

let notReady = "starting"
await startApplicator({
    arm: async (ctrl: Controller) => {
        const proc = await new BlobStore(new SettingsKv(), dsCrypto, "simproc").load()
        if (!proc.value) {
            notReady = "no sim process"
            return
        }
        const err = ctrl.arm(JSON.parse(proc.value))
        console.log(err ? "not armed: " + err.field + " " + err.reason : "bench: sim process armed (no approval check in this image)")
        notReady = err ? err.field + ": " + err.reason : ""
    },
    notReady: () => notReady,
    calibrator: { apply: (channel: string, raw: number) => raw },
    logHasRoom: () => true,
})
