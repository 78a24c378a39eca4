// Small numeric helpers that exist in both the DeviceScript VM and Node (the VM's
// Math.constrain/Math.idiv are not in Node, so core code uses these instead).

export function clamp(v: number, lo: number, hi: number): number {
    return v < lo ? lo : v > hi ? hi : v
}

/** Integer division truncating toward zero (Math.trunc is missing in the VM). */
export function idiv(a: number, b: number): number {
    const q = a / b
    return q < 0 ? Math.ceil(q) : Math.floor(q)
}

export function abs(v: number): number {
    return v < 0 ? -v : v
}
