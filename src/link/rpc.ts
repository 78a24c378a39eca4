// The link's client of the controller's link service (services/smilelink.md): one command at a
// time, each waiting for its report; sent again after RETRY_MS without one, at most TRIES times
// (a lost packet, or a controller busy with a control tick). null: the controller did not
// answer (absent, rebooting, or its reports lost): the caller gives up for this round.
import * as ds from "@devicescript/core"

const RETRY_MS = 500
const TRIES = 3

export class LinkRpc {
    private role = new ds.SmileLink()
    /** the command whose report is awaited ("" none), and that report's fields once it came */
    private waiting = ""
    private got: any = null
    private busy = false

    constructor() {
        const self = this
        this.role.report().subscribe((pkt: ds.Packet) => {
            if (!pkt.spec || pkt.spec.name !== self.waiting) return
            const v = pkt.decode()
            // a one-field report decodes as its value, or as [value] for a bytes field
            self.got = Array.isArray(v) && v.length === 1 ? v[0] : v
        })
    }

    /**
     * The report's fields (one field: its value; several: an array), or null when none came.
     * waitMs: how long one try waits (longer for what writes flash: an install's end, an ack).
     */
    async call(name: string, args?: any[], waitMs?: number): Promise<any> {
        while (this.busy) await ds.sleep(5)
        this.busy = true
        try {
            for (let i = 0; i < TRIES; i++) {
                this.waiting = name
                this.got = null
                await (this.role as any)[name](args)
                const until = ds.millis() + (waitMs || RETRY_MS)
                while (this.got === null && ds.millis() < until) await ds.sleep(5)
                if (this.got !== null) return this.got
            }
            return null
        } finally {
            this.waiting = ""
            this.busy = false
        }
    }
}
