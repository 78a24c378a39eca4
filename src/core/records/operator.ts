// A record's operator field from what the hub or a technician's request names (docs/records.md).

const OPERATOR_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-"

/** the staff user's name as a record's operator (1-32 of A-Z a-z 0-9 . _ -), else "" */
export function operator(by: any): string {
    let ok = typeof by === "string" && by.length > 0 && by.length <= 32
    for (let i = 0; ok && i < by.length; i++) ok = OPERATOR_CHARS.indexOf(by.charAt(i)) >= 0
    return ok ? by : ""
}
