// postinstall: generate the manifest/board modules, then run one DeviceScript build, which is
// what writes the @devicescript/* libraries into node_modules (they are not registry packages).
import { generateAll } from "./generate"
import { devs } from "./devs"

try {
    generateAll()
} catch (e) {
    console.error(`setup: ${(e as Error).message}`)
    process.exit(1)
}
const r = devs(["build", "src/main.ts", "--quiet"], { quiet: true })
if (r.status !== 0) {
    console.error(r.stdout, r.stderr)
    console.error("setup: the firmware build failed; run `npm run build` to see why")
    process.exit(1)
}
console.log("setup: DeviceScript libraries and generated modules are in place")
