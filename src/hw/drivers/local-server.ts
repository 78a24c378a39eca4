// Starts a TypeScript server on the device, or - in the simulator - only names the role so the
// firmware binds to the simulated server on the bus. Same behaviour as startSimpleServer() in
// @devicescript/drivers (servers.ts), which that package does not export.
import * as ds from "@devicescript/core"
import { startServer } from "@devicescript/server"

/**
 * @param roleName the role (and instance) name, one of ROLE in ../roles
 * @param make builds the server; not called in the simulator, so it may own hardware
 * @returns the role name to pass to the client constructor (`new ds.Temperature(name)`)
 */
export function startLocalServer(roleName: string, make: () => ds.ServerInterface): string {
    if (ds.isSimulator()) {
        console.debug(`request sim: ${roleName}`)
        return roleName
    }
    return startServer(make(), { roleName })
}
