// @ts-check
// The designer's editor. Every field shows the limits of the regulation profile in force beside
// it and is marked the moment it leaves them; the hub checks the whole design with the same
// src/core validation a submission gets (POST /api/library/templates/check, nothing stored) and
// names the field it refuses. Submit is possible only after the hub's check passed.
import { api, h, say, errorText, fill, ApiError } from "../api.js"
import { templatePicture } from "./template-picture.js"

/** [path, label, unit, scale (display unit -> stored integer), profile limits (lo, hi keys or numbers)] */
const FIELDS = [
    ["material.materialId", "Film product id", "", 0, null],
    ["material.filmThicknessUm", "Film thickness", "µm", 1, ["filmThicknessMinUm", "filmThicknessMaxUm"]],
    ["material.softenDeciC", "Film softens at", "°C", 10, null],
    ["material.materialMaxDeciC", "Film maximum", "°C", 10, null],
    ["process.filmDeciC", "Film temperature", "°C", 10, ["filmMinDeciC", "filmMaxDeciC"]],
    ["process.soakMs", "Soak", "s", 1000, [0, "soakMaxMs"]],
    ["process.forceMilliN", "Press force", "N", 1000, ["forceMinMilliN", "forceMaxMilliN"]],
    ["process.rampMs", "Force ramp", "s", 1000, ["rampMinMs", null]],
    ["process.cureDeciC", "Cure temperature", "°C", 10, ["cureMinDeciC", "cureMaxDeciC"]],
    ["process.cureMs", "Cure time", "s", 1000, ["cureMinMs", "cureMaxMs"]],
    ["process.coolDeciC", "Cool to", "°C", 10, [0, "coolMaxDeciC"]],
    ["process.contactMaxDeciC", "Patient-contact limit", "°C", 10, [0, "contactMaxDeciC"]],
]

const STARTER = {
    version: 1, name: "", designer: "",
    material: { materialId: "PETG-050", filmThicknessUm: 500, softenDeciC: 600, materialMaxDeciC: 900 },
    process: { filmDeciC: 700, soakMs: 2000, forceMilliN: 20000, rampMs: 4000, cureDeciC: 680, cureMs: 8000, coolDeciC: 500, contactMaxDeciC: 415 },
    archPointsUm: [[-16000, 0], [-9000, 12000], [0, 16000], [9000, 12000], [16000, 0]],
}

/** @param {string} path */
const idOf = path => "ed-" + path.replace(/\./g, "-")

/** the fields outside FIELDS, with the words a designer knows them by */
const OTHER_LABELS = /** @type {Record<string, string>} */ ({ name: "Name", designer: "Designer", version: "Version", archPointsUm: "Arch points", id: "Design id" })
/** what each of the hub's refusal codes means, in the designer's words */
const REASONS = /** @type {Record<string, string>} */ ({
    material_limit: "the film's own limits", profile_limit: "the regulation profile", device_limit: "the device's hard limits",
    geometry: "neighbouring arch points must be 0.5-20 mm apart", id_mismatch: "the design id", profile_mismatch: "the profile",
})

/**
 * The hub's refusal (`process.filmDeciC: 1200 is outside 600..900 (film softening..maximum) [material_limit]`)
 * in the designer's units and words (`Film temperature: 120 °C is outside 60 °C – 90 °C (the film's own limits)`).
 * @param {string} message
 */
export function inDesignerWords(message) {
    const m = /^([A-Za-z.]+)(?:\[(\d+)\])?: (.*?)(?: \[(\w+)\])?$/.exec(message)
    if (!m) return message
    const [, path, index, detail, code] = m
    const f = FIELDS.find(x => x[0] === path)
    const unit = f ? /** @type {string} */ (f[2]) : path === "archPointsUm" ? "µm" : ""
    const scale = f ? Number(f[3]) || 1 : 1
    const val = (/** @type {string} */ n) => {
        const v = Number(n)
        return (unit === "µm" && Math.abs(v) >= 1000 ? v / 1000 + " mm" : String(v / scale) + (unit ? " " + unit : ""))
    }
    const label = (/** @type {string} */ p) => {
        const x = FIELDS.find(y => y[0] === p)
        return x ? /** @type {string} */ (x[1]) : OTHER_LABELS[p] ?? p
    }
    let words = detail.replace(/^(-?\d+) (?:is )?outside (-?\d+)\.\.(-?\d+)(?: \((.*)\))?$/, (_a, v, lo, hi) =>
        val(v) + " is outside " + val(lo) + " – " + (Number(hi) >= 86400000 ? "no upper limit" : val(hi)))
    words = words.replace(/\b(material|process)\.[A-Za-z]+/g, p => label(p).toLowerCase())
    const where = label(path) + (index !== undefined ? " (point " + (Number(index) + 1) + ")" : "")
    return where + ": " + words + (code && REASONS[code] ? " (" + REASONS[code] + ")" : "")
}

/** @param {any} o @param {string} path */
const getPath = (o, path) => path.split(".").reduce((a, k) => a?.[k], o)

/** @param {HTMLElement} main @param {{ name: string }} me */
export async function page(main, me) {
    const profiles = (await api("GET", "/api/library/profiles")).profiles.filter((/** @type {any} */ p) => p.inForce)
    const device = await api("GET", "/api/library/device-limits")
    const library = (await api("GET", "/api/library/templates?limit=100")).templates
    // an account publishes under one designer name, bound by its first submission
    const bound = (await api("GET", "/api/library/designer-name")).designer
    if (profiles.length === 0) {
        main.append(h("h1", {}, "New design"), h("p", {}, "No regulation profile is published yet: the council publishes one first."))
        return
    }
    const profileSel = h("select", { id: "ed-profile" }, profiles.map((/** @type {any} */ p) => h("option", { value: p.profile.profileId }, p.profile.profileId + " v" + p.profile.profileVersion)))
    const startSel = h("select", { id: "ed-start" }, h("option", { value: "" }, "the starter design"),
        library.map((/** @type {any} */ t) => h("option", { value: t.templateId }, t.name + " v" + t.version + " by " + t.designer)))
    const verdict = h("div", { id: "ed-verdict", role: "status", "aria-live": "polite" })
    const submit = h("button", { type: "submit", class: "primary", id: "ed-submit", disabled: true }, "Submit for review")
    const form = h("form", { id: "editor", novalidate: true })
    const picture = h("div", { id: "ed-picture" })
    /** @type {any} */
    let checked = null
    let timer = 0
    // a check answered after a newer one was sent is stale
    let checkSeq = 0

    const profile = () => profiles.find((/** @type {any} */ p) => p.profile.profileId === /** @type {HTMLSelectElement} */ (profileSel).value).profile

    /** [lo, hi] in stored units, or null @param {any} lim */
    function limitsOf(lim) {
        if (!lim) return null
        const p = profile()
        const v = (/** @type {any} */ k) => (typeof k === "number" ? k : k === null ? null : p[k])
        return [v(lim[0]), v(lim[1])]
    }

    /** @param {number | null} v @param {string} unit @param {number} scale */
    const show = (v, unit, scale) => (v === null ? "…" : scale === 1 ? String(v) : String(v / scale)) + (unit ? " " + unit : "")

    function renderFields(/** @type {any} */ d) {
        fill(form, 
            h("fieldset", {}, h("legend", {}, "Design"),
                field("name", "Name", h("input", { id: "ed-name", value: d.name, maxlength: 32, required: true })),
                field("designer", "Designer (as published)", h("input", { id: "ed-designer", value: d.designer || bound || me.name, maxlength: 32, required: true })),
                field("version", "Version", h("input", { id: "ed-version", type: "number", min: 1, step: 1, value: d.version, required: true }))),
            h("fieldset", {}, h("legend", {}, "Film and process"), FIELDS.map(([path, label, unit, scale, lim]) => {
                const raw = getPath(d, /** @type {string} */ (path))
                const input = scale === 0 ? h("input", { id: idOf(/** @type {string} */ (path)), value: raw, maxlength: 16 })
                    : h("input", { id: idOf(/** @type {string} */ (path)), type: "number", step: scale === 1 ? 1 : 1 / Number(scale), value: raw / Number(scale), inputmode: "decimal" })
                const l = limitsOf(lim)
                const limText = l ? "Profile: " + show(l[0], /** @type {string} */ (unit), Number(scale)) + " – " + (l[1] === null ? "no upper limit" : show(l[1], /** @type {string} */ (unit), Number(scale))) : ""
                return field(/** @type {string} */ (path), label + (unit ? " (" + unit + ")" : ""), input, limText)
            })),
            h("fieldset", {}, h("legend", {}, "Arch"),
                field("archPointsUm", "Arch points, one \"x, y\" pair in µm per line, along the arch",
                    h("textarea", { id: "ed-archPointsUm", rows: 6 }, d.archPointsUm.map((/** @type {number[]} */ p) => p.join(", ")).join("\n")),
                    "Profile: at least " + profile().archPointsMin + " points")),
            picture,
            h("p", { class: "muted" }, "Device hard limits (devicescript.json): film " + device.filmMaxDeciC / 10 + " °C, patient contact " + device.contactMaxDeciC / 10 + " °C, force " + device.forceMaxMilliN / 1000 + " N."),
            verdict, submit)
    }

    /** @param {string} path @param {string} label @param {HTMLElement} input @param {string} [limits] */
    function field(path, label, input, limits) {
        const id = input.id
        input.setAttribute("aria-describedby", id + "-lim " + id + "-err")
        input.addEventListener("input", schedule)
        return h("div", { class: "field", dataset: { path } }, h("label", { for: id }, label), input,
            h("small", { id: id + "-lim", class: "limits" }, limits ?? ""), h("small", { id: id + "-err", class: "field-error" }))
    }

    /** the design as typed, in stored integer units; throws naming the field when a value is not a number */
    function design() {
        const val = (/** @type {string} */ id) => /** @type {HTMLInputElement} */ (document.getElementById(id)).value
        const d = { version: Number(val("ed-version")), name: val("ed-name"), designer: val("ed-designer"), material: {}, process: {}, archPointsUm: /** @type {number[][]} */ ([]) }
        for (const [path, , , scale] of FIELDS) {
            const [group, key] = /** @type {string} */ (path).split(".")
            const raw = val(idOf(/** @type {string} */ (path)))
            ;/** @type {any} */ (d)[group][key] = scale === 0 ? raw : raw.trim() === "" ? NaN : Math.round(Number(raw) * Number(scale))
        }
        d.archPointsUm = val("ed-archPointsUm").split("\n").map(l => l.trim()).filter(Boolean).map(l => l.split(/[ ,;]+/).map(Number))
        return d
    }

    /** Marks each field against the profile at once (the hub's check follows). */
    function markLocal(/** @type {any} */ d) {
        let ok = true
        // the hub's and the library's marks of the last check go: a fixed field is clean again
        for (const k of Object.keys(OTHER_LABELS)) {
            const input = document.getElementById("ed-" + k)
            input?.setAttribute("aria-invalid", "false")
            const err = document.getElementById("ed-" + k + "-err")
            if (err) err.textContent = ""
        }
        for (const [path, , unit, scale, lim] of FIELDS) {
            const input = /** @type {HTMLInputElement} */ (document.getElementById(idOf(/** @type {string} */ (path))))
            const err = /** @type {HTMLElement} */ (document.getElementById(input.id + "-err"))
            const v = getPath(d, /** @type {string} */ (path))
            const l = limitsOf(lim)
            let msg = ""
            if (scale !== 0 && !Number.isFinite(v)) msg = "Enter a number."
            else if (l && ((l[0] !== null && v < l[0]) || (l[1] !== null && v > l[1]))) msg = "Outside the profile: " + show(l[0], /** @type {string} */ (unit), Number(scale)) + " – " + show(l[1], /** @type {string} */ (unit), Number(scale)) + "."
            input.setAttribute("aria-invalid", msg ? "true" : "false")
            err.textContent = msg
            if (msg) ok = false
        }
        return ok
    }

    function schedule() {
        checked = null
        ;/** @type {HTMLButtonElement} */ (submit).disabled = true
        clearTimeout(timer)
        timer = window.setTimeout(check, 300)
    }

    async function check() {
        const d = design()
        const localOk = markLocal(d)
        drawPicture(d)
        const mine = ++checkSeq
        try {
            const r = await api("POST", "/api/library/templates/check", { template: d, profileId: /** @type {HTMLSelectElement} */ (profileSel).value })
            const taken = await versionTaken(d)
            if (mine !== checkSeq) return
            checked = r.design
            verdict.className = "verdict ok"
            verdict.textContent = "The hub accepts this design under " + r.profile.profileId + " v" + r.profile.profileVersion + " and the device limits (id " + r.templateId.slice(0, 12) + "…)."
            if (taken) {
                markField("ed-version", taken)
                verdict.className = "verdict error"
                verdict.textContent = taken
            }
            ;/** @type {HTMLButtonElement} */ (submit).disabled = !localOk || !!taken
        } catch (e) {
            if (mine !== checkSeq) return
            checked = null
            const words = e instanceof ApiError ? inDesignerWords(e.message) : errorText(e)
            verdict.className = "verdict error"
            verdict.textContent = "The hub refuses it: " + words
            const f = /** @type {any} */ (e).field
            if (f) markField("ed-" + String(f).replace(/\[.*$/, "").replace(/\./g, "-"), words)
        }
    }

    /** The picture of the design as typed (arch and process), when its numbers make one. @param {any} d */
    function drawPicture(d) {
        const nums = [...Object.values(d.process), ...d.archPointsUm.flat()]
        const drawable = d.archPointsUm.length >= 2 && d.archPointsUm.every((/** @type {number[]} */ p) => p.length === 2) && nums.every(v => Number.isFinite(v))
        fill(picture, drawable ? templatePicture(d) : h("p", { class: "muted" }, "The picture returns once every number is filled in."))
    }

    /** Marks a field with a message, unless the local check said something already. @param {string} id @param {string} text */
    function markField(id, text) {
        const el = document.getElementById(id)
        if (!el) return
        el.setAttribute("aria-invalid", "true")
        const err = document.getElementById(id + "-err")
        if (err && !err.textContent) err.textContent = text
    }

    /** "Version 1 of … exists already" when the library holds this name and version (the hub would refuse the submission). @param {any} d */
    async function versionTaken(d) {
        if (!d.name.trim() || !Number.isInteger(d.version)) return ""
        const r = await api("GET", "/api/library/templates?" + new URLSearchParams({ q: d.name.trim().slice(0, 32), limit: "100" })).catch(() => null)
        const same = r ? r.templates.filter((/** @type {any} */ t) => t.name === d.name.trim()) : []
        if (!same.some((/** @type {any} */ t) => t.version === d.version)) return ""
        const next = Math.max(...same.map((/** @type {any} */ t) => t.version)) + 1
        return "Version " + d.version + " of \"" + d.name.trim() + "\" exists already: submit this design as version " + next + "."
    }

    form.addEventListener("submit", async ev => {
        ev.preventDefault()
        if (!checked) return
        try {
            const t = await api("POST", "/api/library/templates", { template: checked, profileId: /** @type {HTMLSelectElement} */ (profileSel).value })
            say("Submitted " + t.name + " v" + t.version + " for review.", "ok", true)
            location.hash = "#/templates/" + t.templateId
        } catch (e) {
            say("Submit refused: " + errorText(e), "error")
        }
    })
    profileSel.addEventListener("change", () => {
        renderFields(design())
        schedule()
    })
    startSel.addEventListener("change", async () => {
        const id = /** @type {HTMLSelectElement} */ (startSel).value
        const d = id ? (await api("GET", "/api/library/templates/" + id)).design : STARTER
        renderFields(id ? { ...d, version: d.version + 1 } : d)
        schedule()
    })

    main.append(h("h1", {}, "New design"), h("div", { class: "inline-form" },
        h("div", { class: "field" }, h("label", { for: "ed-profile" }, "Regulation profile"), profileSel),
        h("div", { class: "field" }, h("label", { for: "ed-start" }, "Start from"), startSel)), form)
    renderFields(STARTER)
    schedule()
}
