// Preloaded into a firmware VM's process (`node -r`) when SIM_BUS_PORT is set: `devs run --tcp`
// always joins the Jacdac bus on 127.0.0.1:8082 (hard-coded in @devicescript/cli 2.16.4), so
// this sends that one connection to the bus relay on SIM_BUS_PORT instead. Each simulated
// applicator then has a bus of its own, as each real one does (its controller, link and
// sensors on one cable), and several can run on one machine. Every other connection (the link's
// HTTP to the hub) is left alone.
"use strict"
const net = require("node:net")
const to = Number(process.env.SIM_BUS_PORT)
if (Number.isInteger(to) && to > 0 && to < 65536 && to !== 8082) {
    const orig = net.createConnection
    net.createConnection = net.connect = function (port, host, ...rest) {
        if (port === 8082 && (host === "127.0.0.1" || host === "localhost")) return orig.call(this, to, host, ...rest)
        return orig.call(this, port, host, ...rest)
    }
}
