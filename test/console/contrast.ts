// WCAG 2.x AA contrast, measured in the browser on what is rendered: every visible element that
// holds text of its own (and every form control's value) against the background it is painted
// on (the element's and its ancestors' background colours, alpha-composited; opacity applied).
// Normal text needs 4.5:1, large text (24 px, or 18.66 px bold) 3:1. Disabled controls are
// exempt (WCAG 1.4.3: "inactive user interface components"). Text drawn on a canvas (uPlot's
// axes) is not in the DOM and is not measured here.
import type { Page } from "playwright-core"

export interface ContrastFailure {
    text: string
    where: string
    ratio: number
    needed: number
    fg: string
    bg: string
}

/** Every text on the page below AA, worst first. */
export async function contrastFailures(page: Page): Promise<ContrastFailure[]> {
    return page.evaluate(() => {
        type RGBA = [number, number, number, number]
        const parse = (c: string): RGBA | null => {
            const m = /rgba?\(([^)]+)\)/.exec(c)
            if (!m) return null
            const p = m[1].split(/[\s,/]+/).filter(Boolean).map(Number)
            return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]
        }
        const over = (top: RGBA, bottom: RGBA): RGBA => {
            const a = top[3]
            return [top[0] * a + bottom[0] * (1 - a), top[1] * a + bottom[1] * (1 - a), top[2] * a + bottom[2] * (1 - a), 1]
        }
        const lum = (c: RGBA) => {
            const f = (v: number) => {
                v /= 255
                return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4
            }
            return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2])
        }
        const background = (el: Element): RGBA => {
            const layers: RGBA[] = []
            for (let e: Element | null = el; e; e = e.parentElement) {
                const c = parse(getComputedStyle(e).backgroundColor)
                if (c && c[3] > 0) {
                    layers.push(c)
                    if (c[3] >= 1) break
                }
            }
            let bg: RGBA = [255, 255, 255, 1]
            for (const l of layers.reverse()) bg = over(l, bg)
            return bg
        }
        const opacity = (el: Element) => {
            let o = 1
            for (let e: Element | null = el; e; e = e.parentElement) o *= Number(getComputedStyle(e).opacity)
            return o
        }
        const describe = (el: Element) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : "")
        const out: { text: string; where: string; ratio: number; needed: number; fg: string; bg: string }[] = []
        for (const el of document.querySelectorAll("body *")) {
            if (el.closest("script, style, canvas, svg, [hidden], :disabled")) continue
            const isControl = el.matches("input:not([type=file]):not([type=checkbox]):not([type=radio]), select, textarea")
            const own = isControl ? (el as HTMLInputElement).value : [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join("").trim()
            if (!own) continue
            const r = el.getBoundingClientRect()
            const style = getComputedStyle(el)
            if (r.width === 0 || r.height === 0 || style.visibility === "hidden" || style.display === "none") continue
            const bg = background(el)
            const fg0 = parse(style.color)
            if (!fg0) continue
            const fg = over([fg0[0], fg0[1], fg0[2], fg0[3] * opacity(el)], bg)
            const [a, b] = [lum(fg), lum(bg)]
            const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)
            const size = parseFloat(style.fontSize)
            const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700)
            const needed = large ? 3 : 4.5
            if (ratio < needed) out.push({ text: own.slice(0, 40), where: describe(el), ratio: Math.round(ratio * 100) / 100, needed, fg: style.color, bg: "rgb(" + bg.slice(0, 3).map(Math.round).join(", ") + ")" })
        }
        return out.sort((x, y) => x.ratio - y.ratio)
    })
}
