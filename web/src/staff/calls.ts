// The staff page's calls: the list (newest first), one call's transcript, and the owner's week
// as a small plain-SVG chart. Built with textContent only: what callers said is never HTML.
import type { Call, CallDetail, CallOutcome, CallWeek } from "./api";

export const OUTCOMES: Record<CallOutcome, string> = {
  in_progress: "In progress",
  dropped: "Dropped",
  failed: "Failed",
  transferred: "Put through",
  callback: "Callback",
  booked: "Booked",
  changed: "Changed",
  cancelled: "Cancelled",
  answered: "Answered",
  hung_up: "Hung up",
  no_action: "Nothing done",
};
const SPEAKERS = { caller: "Caller", agent: "Agent", tool: "Did" } as const;
const SVG = "http://www.w3.org/2000/svg";

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (name === "class") node.className = value;
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

const clock = (iso: string) =>
  new Date(iso).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });

function length(seconds: number | null): string {
  if (seconds === null) return "";
  const s = Math.round(seconds);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

function when(call: Call): string {
  const day = new Date(call.started_at).toLocaleDateString(undefined, {
    weekday: "short",
    day: "numeric",
    month: "short",
  });
  return `${day} ${clock(call.started_at)}`;
}

export function renderCalls(list: HTMLOListElement, calls: Call[], open: (id: number) => void) {
  const items = calls.map((call) => {
    const who = call.channel === "phone" ? (call.caller_number ?? "withheld number") : "web call";
    const codes = call.booked.length ? ` · ${call.booked.join(", ")}` : "";
    const press = el("button", { type: "button", class: "call-open", "data-focus-key": `call-${call.id}:open` });
    press.append(
      el("span", {}, `${when(call)} · ${who}`),
      el("span", { class: `pill outcome ${call.outcome}` }, OUTCOMES[call.outcome]),
      el("span", { class: "muted" }, `${length(call.duration_seconds)}${codes}`),
    );
    press.addEventListener("click", () => open(call.id));
    return el("li", { "data-id": String(call.id) }, press);
  });
  if (!items.length) items.push(el("li", { class: "muted" }, "No calls."));
  list.replaceChildren(...items);
}

export function renderCall(facts: HTMLElement, transcript: HTMLOListElement, call: CallDetail) {
  const number = call.caller_number;
  const delays =
    call.reply_delay_p50 === null
      ? ""
      : ` · replies in ${call.reply_delay_p50.toFixed(1)} s (worst ${call.reply_delay_worst?.toFixed(1)} s)`;
  facts.replaceChildren(
    el("span", { class: `pill outcome ${call.outcome}` }, OUTCOMES[call.outcome]),
    ` ${when(call)} · ${length(call.duration_seconds)} · ${call.agents.join(" → ")}${delays} · `,
    number ? el("a", { href: `tel:${number}` }, number) : call.channel === "web" ? "web call" : "no number",
  );
  const lines = call.lines.map((line) =>
    el(
      "li",
      { class: `line ${line.speaker}` },
      el("span", { class: "speaker" }, `${SPEAKERS[line.speaker]} ${clock(line.at)}`),
      el("span", {}, line.text),
    ),
  );
  if (!lines.length) {
    const gone = call.transcript_removed_at ? "The transcript was removed (retention)." : "Nothing said yet.";
    lines.push(el("li", { class: "muted" }, gone));
  }
  transcript.replaceChildren(...lines);
}

/** A call's recordings, each fetched and played in the page when asked for. Left as they are
 * while the same call is shown, so the next poll does not stop what is playing. */
export function renderRecordings(
  area: HTMLElement,
  call: CallDetail,
  listen: (id: number, part: number) => Promise<Blob | null>,
) {
  const shown = `${call.id}:${call.recordings}`;
  if (area.dataset.shown === shown) return;
  clearRecordings(area);
  area.dataset.shown = shown;
  const parts = Array.from({ length: call.recordings }, (_, i) => i + 1).map((part) => {
    const which = call.recordings > 1 ? ` (part ${part}, one agent's)` : "";
    const press = el("button", { type: "button", class: "quiet" }, `Listen to the recording${which}`);
    const slot = el("div", { class: "recording" }, press);
    press.addEventListener("click", async () => {
      press.disabled = true;
      press.textContent = "Loading the recording…";
      const audio = await listen(call.id, part);
      // Closed, another call opened or signed out while it loaded: keep nothing of it.
      if (!slot.isConnected) return;
      if (audio === null) {
        press.disabled = false;
        press.textContent = `Listen to the recording${which}`;
        return;
      }
      const player = el("audio", { controls: "", "aria-label": `The call's recording${which}` });
      player.src = URL.createObjectURL(audio);
      slot.replaceChildren(player);
      player.focus();
    });
    return slot;
  });
  area.hidden = !parts.length;
  area.replaceChildren(...parts);
}

/** Stop and let go of whatever recording the page holds. */
export function clearRecordings(area: HTMLElement) {
  for (const audio of area.querySelectorAll("audio")) {
    audio.pause();
    URL.revokeObjectURL(audio.src);
  }
  delete area.dataset.shown;
  area.replaceChildren();
  area.hidden = true;
}

function svg(tag: string, attrs: Record<string, string | number>, text = ""): SVGElement {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  if (text) node.textContent = text;
  return node;
}

/** Calls per day as bars, and the week's figures in words (what screen readers get too). */
export function renderWeek(figure: HTMLElement, week: CallWeek) {
  const most = Math.max(1, ...week.days.map((d) => d.calls));
  const chart = svg("svg", { viewBox: "0 0 280 110", role: "img", class: "week-chart" });
  const said = week.days.map((d) => `${weekday(d.day)} ${d.calls}`).join(", ");
  chart.setAttribute("aria-label", `Calls per day: ${said}`);
  week.days.forEach((d, i) => {
    const height = Math.round((d.calls / most) * 80);
    const x = i * 40 + 8;
    chart.append(
      svg("rect", { x, y: 90 - height, width: 24, height, rx: 2, class: "week-bar" }),
      svg("text", { x: x + 12, y: 104, "text-anchor": "middle" }, weekday(d.day)),
      svg("text", { x: x + 12, y: 86 - height, "text-anchor": "middle" }, String(d.calls)),
    );
  });
  const share = week.handled_share === null ? "–" : `${Math.round(week.handled_share * 100)}%`;
  const average = week.average_seconds === null ? "–" : length(week.average_seconds);
  const delay = week.reply_delay_p50 === null ? "–" : `${week.reply_delay_p50.toFixed(1)} s`;
  const figures: [string, string][] = [
    ["Calls", String(week.calls)],
    ["Handled without staff", share],
    ["Bookings", `${week.bookings} (${week.covers} covers)`],
    ["Callbacks", String(week.callbacks)],
    ["Put through", String(week.transfers)],
    ["Dropped", String(week.dropped)],
    ["Average length", average],
    ["Typical reply", delay],
  ];
  const list = el("dl", { class: "week-figures" });
  for (const [term, value] of figures) list.append(el("dt", {}, term), el("dd", {}, value));
  figure.replaceChildren(el("figcaption", { class: "muted" }, "The last 7 days"), chart, list);
}

function weekday(iso: string): string {
  const [year, month, day] = iso.split("-").map(Number);
  return new Date(year, month - 1, day).toLocaleDateString(undefined, { weekday: "short" });
}
