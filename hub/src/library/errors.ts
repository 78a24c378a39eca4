// The library's errors are the hub's HubError (status, stable code) plus the field they concern,
// which the library's routes answer as { error: { code, field, message } }. src/core's
// ValidationError (same code and field) becomes a 400 or, when the input was fine but the
// library's state refuses it now, a 409.

import { ValidationError } from "../../../src/core/codec/errors"
import { HubError } from "../errors"

export class LibraryError extends HubError {
    constructor(statusCode: number, code: string, readonly field: string, detail: string) {
        super(statusCode, code, detail.startsWith(field + ": ") ? detail : field + ": " + detail)
        this.name = "LibraryError"
    }
}

export function notFound(what: string, field: string): LibraryError {
    return new LibraryError(404, "not_found", field, what + " does not exist")
}

/** Runs fn; a ValidationError it throws becomes a LibraryError with `status` and the same code and field. */
export function checked<T>(status: number, fn: () => T): T {
    try {
        return fn()
    } catch (e) {
        if (e instanceof ValidationError) throw new LibraryError(status, e.code, e.field, e.message)
        throw e
    }
}

export { isUniqueViolation } from "../db/index"
