// One error model for the hub: a typed error with an HTTP status and a stable code; app.ts
// turns it (and Fastify's own validation errors) into { error: { code, message } }.
export class HubError extends Error {
    /** headers: extra answer headers, e.g. Retry-After of a 429 */
    constructor(readonly statusCode: number, readonly code: string, message: string, readonly headers?: Record<string, string>) {
        super(message)
        this.name = "HubError"
    }
}

export const badRequest = (code: string, message: string) => new HubError(400, code, message)
export const unauthorized = (code: string, message: string) => new HubError(401, code, message)
export const forbidden = (message: string) => new HubError(403, "forbidden", message)
export const notFound = (message: string) => new HubError(404, "not_found", message)
export const conflict = (code: string, message: string) => new HubError(409, code, message)
