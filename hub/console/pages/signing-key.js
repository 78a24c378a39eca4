// @ts-check
// The reviewer's Ed25519 key in the browser. An approval is the reviewer's signature over the
// template's canonical bytes, made on the reviewer's own machine; the hub only holds public
// keys. The reviewer loads their PKCS#8 PEM private key from a file: it is imported into Web
// Crypto as a non-extractable key held in this page's memory only (never sent, never stored;
// gone on reload or log out). The public half can be registered from here.
import { api, h, say, errorText } from "../api.js"

/** @type {CryptoKey | null} */
let privateKey = null
let publicPem = ""

/** @param {string} pem @returns {Uint8Array} */
function pemBytes(pem) {
    const b64 = pem.replace(/-----(BEGIN|END) [A-Z ]+-----/g, "").replace(/\s+/g, "")
    return Uint8Array.from(atob(b64), c => c.charCodeAt(0))
}

/** @param {Uint8Array} raw 32-byte Ed25519 public key -> SPKI PEM (RFC 8410: fixed 12-byte header) */
function spkiPem(raw) {
    const der = new Uint8Array(44)
    der.set([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00])
    der.set(raw, 12)
    return "-----BEGIN PUBLIC KEY-----\n" + btoa(String.fromCharCode(...der)) + "\n-----END PUBLIC KEY-----\n"
}

/** @param {string} s base64url */
const b64url = s => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/") + "==".slice(0, (4 - (s.length % 4)) % 4)), c => c.charCodeAt(0))

/** @param {string} pem */
async function load(pem) {
    const der = pemBytes(pem)
    // once extractable, only to read the public half (JWK "x"); the key kept for signing is not
    const ex = await crypto.subtle.importKey("pkcs8", der, { name: "Ed25519" }, true, ["sign"])
    const jwk = await crypto.subtle.exportKey("jwk", ex)
    privateKey = await crypto.subtle.importKey("pkcs8", der, { name: "Ed25519" }, false, ["sign"])
    publicPem = spkiPem(b64url(/** @type {string} */ (jwk.x)))
}

export function hasKey() {
    return privateKey !== null
}

/** Hex Ed25519 signature of the bytes (given as hex). @param {string} bytesHex */
export async function signHex(bytesHex) {
    if (!privateKey) throw new Error("load your signing key first")
    const bytes = Uint8Array.from(bytesHex.match(/../g) ?? [], x => parseInt(x, 16))
    const sig = new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, privateKey, bytes))
    return Array.from(sig, b => b.toString(16).padStart(2, "0")).join("")
}

/** Whether the loaded key's public half is registered at the hub (the public key list, by PEM body). */
export async function keyRegistered() {
    if (!publicPem) return false
    const body = (/** @type {string} */ pem) => pem.replace(/-----(BEGIN|END) [A-Z ]+-----/g, "").replace(/\s+/g, "")
    const { keys } = await api("GET", "/api/library/reviewer-keys")
    return keys.some((/** @type {any} */ k) => body(k.publicKeyPem) === body(publicPem))
}

/** what a reviewer is told when the loaded key is not registered */
export const REGISTER_FIRST = "Register your key first: the hub does not know this signing key yet. Press \"Register this public key\", then approve."

export function forgetKey() {
    privateKey = null
    publicPem = ""
}

/** The key panel. @param {() => void} onChange */
export function keyPanel(onChange) {
    const state = h("p", { id: "key-state" })
    const file = h("input", { id: "key-file", type: "file", accept: ".pem,.key,application/x-pem-file" })
    const register = h("button", { type: "button", id: "key-register" }, "Register this public key")
    const forget = h("button", { type: "button", id: "key-forget" }, "Forget the key")
    function render() {
        state.textContent = privateKey ? "A signing key is loaded in this page (not stored, not sent)." : "No signing key loaded: approvals need your Ed25519 private key."
        ;/** @type {HTMLButtonElement} */ (register).disabled = !privateKey
        ;/** @type {HTMLButtonElement} */ (forget).disabled = !privateKey
        onChange()
    }
    file.addEventListener("change", async () => {
        const f = /** @type {HTMLInputElement} */ (file).files?.[0]
        if (!f) return
        try {
            await load(await f.text())
            say("Signing key loaded into this page.")
        } catch (e) {
            forgetKey()
            say("That file is not an Ed25519 PKCS#8 private key: " + errorText(e), "error")
        }
        ;/** @type {HTMLInputElement} */ (file).value = ""
        render()
    })
    register.addEventListener("click", async () => {
        try {
            const k = await api("POST", "/api/library/reviewer-keys", { publicKeyPem: publicPem })
            say("Public key registered (key " + k.keyId.slice(0, 12) + "…).")
        } catch (e) {
            say(errorText(e), e && /** @type {any} */ (e).code === "key_exists" ? "ok" : "error")
        }
    })
    forget.addEventListener("click", () => {
        forgetKey()
        render()
    })
    const el = h("section", { class: "card", "aria-labelledby": "key-h" }, h("h2", { id: "key-h" }, "Your signing key"),
        h("div", { class: "field" }, h("label", { for: "key-file" }, "Ed25519 private key (PKCS#8 PEM file)"), file),
        state, h("div", { class: "buttons" }, register, forget),
        h("p", { class: "muted" }, "Make one with: openssl genpkey -algorithm ed25519 -out reviewer.pem. The key stays in this tab's memory and is gone when you leave the review queue, reload or log out."))
    render()
    return el
}
