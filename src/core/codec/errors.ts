// The one error every template, profile, bundle and record check throws: a stable code that
// programs branch on (listed in docs/records.md, never renamed), the field it concerns, and a
// message a reviewer or technician can act on. Nothing else may escape these checks: the fuzz
// tests hold them to that.

export class ValidationError extends Error {
    constructor(readonly code: string, readonly field: string, detail: string) {
        super()
        this.name = "ValidationError"
        this.message = field + ": " + detail + " [" + code + "]"
    }
}

/** Runs fn; returns the ValidationError it threw, or null. Any other exception propagates. */
export function validationErrorOf(fn: () => void): ValidationError | null {
    try {
        fn()
        return null
    } catch (e) {
        if (e instanceof ValidationError) return e
        throw e
    }
}
