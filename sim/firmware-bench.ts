// The simulator's test-bench image: the same composition as src/main.ts (src/app.ts), except
// for how a process gets armed. Until the approval check and the record queue are composed
// into src/main.ts (they are built and tested in src/core but do not fit the VM's heap yet),
// this image arms the process the simulator wrote to flash ("simproc" blob) without an
// approval check, and keeps no compliance records. It is built only by the simulator, never
// for a board (tools/build.ts builds src/main.ts).
import { startApplicator } from "../src/app"
import { SettingsKv } from "../src/hw/kv-settings"
import { dsCrypto } from "../src/hw/crypto-ds"
import { BlobStore } from "../src/core/store/blob"
import { Controller } from "../src/core/controller"

await startApplicator({
    arm: async (ctrl: Controller) => {
        const proc = await new BlobStore(new SettingsKv(), dsCrypto, "simproc").load()
        if (!proc.value) return "no sim process"
        const err = ctrl.arm(JSON.parse(proc.value))
        console.log(err ? "not armed: " + err.field + " " + err.reason : "bench: sim process armed (no approval check in this image)")
        return err ? err.field + ": " + err.reason : ""
    },
    logHasRoom: () => true,
})
