// Starts a TypeScript server on the device, or - in the simulator - only names the role so the
// firmware binds to the simulated server on the bus. Same behaviour as startSimpleServer() in
// @devicescript/drivers (servers.ts), which that package does not export.
import * as ds from "@devicescript/core"
import { startServer } from "./server-core"

/**
 * @param roleName the role (and instance) name, one of ROLE in ../roles
 * @param server the server's class, constructed with `a`..`d` (closures to build it would
 *   cost ~32 bytes each of the 64 KB function area); not constructed in the simulator, so it
 *   may own hardware
 * @returns the role name to pass to the client constructor (`new ds.Temperature(name)`)
 */
export function startLocalServer(
    roleName: string,
    server: new (a: any, b?: any, c?: any, d?: any) => ds.ServerInterface,
    a?: any,
    b?: any,
    c?: any,
    d?: any
): string {
    if (ds.isSimulator()) {
        console.debug(`request sim: ${roleName}`)
        return roleName
    }
    return startServer(new server(a, b, c, d), roleName)
}
