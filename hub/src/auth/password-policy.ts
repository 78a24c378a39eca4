// The rule for staff passwords, for every place one is set (`hub user add`, createUser; any
// future route that sets a password must call it too):
// - 12 to 256 characters (OWASP ASVS 4.0.3 V2.1.1-2.1.2), counted as Unicode code points;
// - no control characters;
// - at least 5 different characters, some letters, not a plain run (abcd…, 9876…);
// - not the user's name inside it;
// - not a common password or a small change to one (NIST SP 800-63B 5.1.1.2): lower case, cut
//   into words at spaces and punctuation, each word stripped of leading and trailing digits and
//   symbols and read through common letter swaps (@ a, 0 o, 3 e, $ s, …); refused when every word
//   is in common-passwords.ts, or the whole is a known keyboard walk.
import { COMMON_PASSWORD_WORDS, COMMON_WALKS } from "./common-passwords"

export const PASSWORD_MIN_CHARS = 12
export const PASSWORD_MAX_CHARS = 256
const MIN_DISTINCT = 5

const LEET: Record<string, string> = { "@": "a", "4": "a", "3": "e", "1": "i", "!": "i", "0": "o", "$": "s", "5": "s", "7": "t", "|": "l", "+": "t" }

/** Why this password is refused (a sentence), or null when it is fine. */
export function passwordProblem(password: string, userName = ""): string | null {
    const chars = [...password]
    if (/[\u0000-\u001f\u007f-\u009f]/.test(password)) return "password must not contain control characters"
    if (chars.length < PASSWORD_MIN_CHARS) return "password must be at least " + PASSWORD_MIN_CHARS + " characters (this one has " + chars.length + ")"
    if (chars.length > PASSWORD_MAX_CHARS) return "password must be at most " + PASSWORD_MAX_CHARS + " characters"
    if (new Set(chars).size < MIN_DISTINCT) return "password needs at least " + MIN_DISTINCT + " different characters"
    const lower = password.toLowerCase()
    if (!/\p{L}/u.test(lower)) return "password must contain letters, not only digits, spaces and symbols"
    if (isRun(lower)) return "password must not be a sequence such as abcd… or 1234…"
    if (userName.length >= 3 && lower.includes(userName.toLowerCase())) return "password must not contain the user's name"
    if (COMMON_WALKS.has(lower) || isCommon(lower))
        return "password is a common password or a small change to one: choose a passphrase of a few unrelated words"
    return null
}

function isRun(s: string): boolean {
    const step = s.charCodeAt(1) - s.charCodeAt(0)
    if (Math.abs(step) !== 1) return false
    for (let i = 2; i < s.length; i++) if (s.charCodeAt(i) - s.charCodeAt(i - 1) !== step) return false
    return true
}

function isCommon(lower: string): boolean {
    const words = lower.split(/[\s\-_.,;:/\\]+/)
        .map(w => [...w.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, "")].map(c => LEET[c] ?? c).join(""))
        .filter(w => w !== "")
    return words.length > 0 && words.every(w => COMMON_PASSWORD_WORDS.has(w))
}
