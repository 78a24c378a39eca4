// One I2C transaction through the runtime's native, as @devicescript/i2c's I2C.xfer() does
// (same call, same error message). That package's I2C class brings seven more methods, all
// compiled since it constructs its `i2c` instance (~550 bytes of the 64 KB function area);
// the panel and the LCD need only a write and a one-byte read.
import * as ds from "@devicescript/core"

type DsI2C = typeof ds & {
    _i2cTransaction(addr: number, wrbuf: Buffer, rdbuf?: Buffer): Promise<number>
}

/**
 * Writes `wr` to the 7-bit address `addr`, then reads `numRead` bytes (none if 0/absent).
 * Returns the bytes read (undefined when none were asked for); throws on a bus error.
 */
export async function i2cXfer(addr: number, wr: Buffer, numRead?: number): Promise<Buffer> {
    const rd = numRead ? Buffer.alloc(numRead) : undefined
    const rc = await (ds as DsI2C)._i2cTransaction(addr, wr, rd)
    if (rc !== 0) throw new Error(`I2C error ${rc} dev=${addr}: write ${wr}, read ${numRead} B`)
    return rd
}
