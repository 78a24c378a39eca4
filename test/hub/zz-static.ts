import { routeHub } from "./hub-fixture"
const h = await routeHub()
h.ctx.log = { info() {}, warn() {}, error: (m: string, d: any) => console.log("LOG", JSON.stringify(d).slice(0, 300)) }
for (const url of ["/console/app.js?%EA%B1%82=1", "/console/app.js", "/console/app.js?x=%EA%B1%82", "/console/app.js"]) {
    const r = await h.app.inject({ method: "GET", url })
    console.log(url, r.statusCode, r.body.slice(0, 100))
}
await h.close()
