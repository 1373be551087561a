// The staff page's views: a day's services (covers per slot, bookings with their buttons) and
// the open callbacks. Built with textContent only: names and notes are never parsed as HTML.
import type {
  Callback,
  CallbackStatus,
  Occupancy,
  Reservation,
  ReservationStatus,
  Service,
} from "./api";

export interface Actions {
  setStatus(booking: Reservation, status: ReservationStatus): void;
  moveCallback(callback: Callback, status: CallbackStatus, note: string): void;
  // Open the call a booking or callback was made in.
  openCallOf(session: string): void;
}

const STATUS_WORDS: Record<ReservationStatus, string> = {
  confirmed: "Confirmed",
  seated: "Seated",
  completed: "Completed",
  no_show: "No-show",
  cancelled: "Cancelled",
};
// What staff may press for a booking in each status; the API has the last word (and says why).
const BUTTONS: Record<ReservationStatus, [ReservationStatus, string][]> = {
  confirmed: [
    ["seated", "Seated"],
    ["no_show", "No-show"],
    ["cancelled", "Cancel"],
  ],
  seated: [["completed", "Completed"]],
  cancelled: [["confirmed", "Restore"]],
  no_show: [],
  completed: [],
};
const COLUMNS = ["Time", "Guests", "Name and notes", "Status", "Actions"];
const HOLDS_SEATS = new Set<ReservationStatus>(["confirmed", "seated"]);
const URGENCY = { high: "High", normal: "Normal", low: "Low" } as const;

type Child = Node | string;

/** A name, or what stands for one the retention purge has removed. */
export const named = (name: string | null): string => name ?? "(anonymised)";

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Record<string, string> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

function button(label: string, key: string, onPress: () => void, name = label): HTMLButtonElement {
  const found = el("button", { type: "button", "data-focus-key": key, class: "small" }, label);
  if (name !== label) found.setAttribute("aria-label", name);
  found.addEventListener("click", onPress);
  return found;
}

/** other_info as one line: "birthday; allergies: peanuts; high chair". */
function notes(info: Record<string, unknown>): string {
  return Object.entries(info)
    .filter(([, value]) => value !== "" && value !== false && value != null)
    .map(([key, value]) => {
      const label = key.replace(/_/g, " ");
      if (key === "notes") return String(value);
      return value === true ? label : `${label}: ${String(value)}`;
    })
    .join("; ");
}

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number);
  return h * 60 + m;
}

function coversChart(service: Service, capacity: number): HTMLElement {
  const bars = el("ol", { class: "bars" });
  for (const slot of service.slots) {
    const share = Math.min(1, slot.covers / capacity);
    const bar = el("span", { class: "bar", "aria-hidden": "true" });
    bar.style.setProperty("--fill", `${Math.round(share * 100)}%`);
    if (share >= 0.9) bar.classList.add("full");
    // Hours only under the bars; every slot's figure is in its text for screen readers.
    const hour = slot.time.endsWith(":00") ? slot.time.slice(0, 2) : "";
    const said = `${slot.time}: ${slot.covers} of ${capacity} covers`;
    bars.append(
      el(
        "li",
        { title: said },
        bar,
        el("span", { class: "tick", "aria-hidden": "true" }, hour),
        el("span", { class: "visually-hidden" }, said),
      ),
    );
  }
  const caption = el("figcaption", { class: "muted" }, `Covers in use, of ${capacity}`);
  return el("figure", { class: "covers" }, caption, bars);
}

function bookingRow(booking: Reservation, actions: Actions): HTMLTableRowElement {
  const code = booking.confirmation_code;
  const who = `${named(booking.name)} at ${booking.reservation_time}`;
  const buttons = BUTTONS[booking.status].map(([status, label]) => {
    const press = () => actions.setStatus(booking, status);
    return button(label, `${code}:${status}`, press, `${label}: ${who}`);
  });
  const session = booking.session_id;
  if (session) {
    const open = () => actions.openCallOf(session);
    buttons.push(button("Call", `${code}:call`, open, `The call that booked: ${who}`));
  }
  const about = notes(booking.other_info);
  return el(
    "tr",
    { class: HOLDS_SEATS.has(booking.status) ? "" : "inactive", "data-code": code },
    el("td", { class: "time" }, booking.reservation_time),
    el("td", { class: "party" }, String(booking.party_size)),
    el(
      "td",
      {},
      el("span", { class: "name" }, named(booking.name)),
      about ? el("span", { class: "notes" }, about) : "",
      el("span", { class: "code" }, code),
    ),
    el("td", {}, el("span", { class: `pill ${booking.status}` }, STATUS_WORDS[booking.status])),
    el("td", {}, el("div", { class: "actions" }, ...buttons)),
  );
}

export function renderDay(
  container: HTMLElement,
  day: Occupancy,
  bookings: Reservation[],
  actions: Actions,
): void {
  const sections: HTMLElement[] = [];
  const placed = new Set<Reservation>();
  const groups: { title: string; service?: Service; inside: Reservation[] }[] = day.services.map(
    (service) => {
      const inside = bookings.filter((b) => {
        const at = minutes(b.reservation_time);
        return at >= minutes(service.opens) && at < minutes(service.closes);
      });
      inside.forEach((b) => placed.add(b));
      return { title: service.service, service, inside };
    },
  );
  // Nothing the rules allow lands here, but a booking is never hidden from staff.
  const elsewhere = bookings.filter((b) => !placed.has(b));
  if (elsewhere.length) groups.push({ title: "other times", inside: elsewhere });
  for (const [index, group] of groups.entries()) {
    const id = `service-${index}`;
    const live = group.inside.filter((b) => HOLDS_SEATS.has(b.status));
    const guests = live.reduce((sum, b) => sum + b.party_size, 0);
    const hours = group.service ? ` ${group.service.opens}–${group.service.closes}` : "";
    const heading = el(
      "h3",
      { id },
      group.title[0].toUpperCase() + group.title.slice(1),
      el("span", { class: "muted" }, hours),
    );
    const count = `${live.length} ${live.length === 1 ? "booking" : "bookings"}, ${guests} guests`;
    const summary = el("p", { class: "muted" }, count);
    const table = group.inside.length
      ? el(
          "table",
          {},
          el("caption", { class: "visually-hidden" }, `${group.title} bookings`),
          el("thead", {}, el("tr", {}, ...COLUMNS.map((h) => el("th", { scope: "col" }, h)))),
          el("tbody", {}, ...group.inside.map((b) => bookingRow(b, actions))),
        )
      : el("p", { class: "muted" }, "No bookings yet.");
    sections.push(
      el(
        "section",
        { class: "card service", "aria-labelledby": id },
        heading,
        summary,
        group.service ? coversChart(group.service, day.capacity_covers) : "",
        table,
      ),
    );
  }
  if (!sections.length) {
    sections.push(el("p", { class: "card muted" }, "Closed: no services on this day."));
  }
  container.replaceChildren(...sections);
}

function age(createdAt: string, now: number): string {
  const mins = Math.max(0, Math.round((now - Date.parse(createdAt)) / 60_000));
  if (mins < 1) return "just now";
  if (mins < 60) return `${mins} min ago`;
  const hours = Math.floor(mins / 60);
  return hours < 24 ? `${hours} h ${mins % 60} min ago` : `${Math.floor(hours / 24)} d ago`;
}

export function renderCallbacks(
  list: HTMLOListElement,
  callbacks: Callback[],
  drafts: Map<number, string>,
  actions: Actions,
  now = Date.now(),
): void {
  const items = callbacks.map((callback) => {
    const key = `callback-${callback.id}`;
    const noteId = `note-${callback.id}`;
    const note = el("input", {
      id: noteId,
      "data-focus-key": `${key}:note`,
      autocomplete: "off",
      maxlength: "1000",
    });
    note.value = drafts.get(callback.id) ?? "";
    note.addEventListener("input", () => drafts.set(callback.id, note.value));
    const press = (status: CallbackStatus) => () =>
      actions.moveCallback(callback, status, note.value.trim());
    const buttons = [
      button("Resolve", `${key}:resolve`, press("resolved"), `Resolve: ${named(callback.name)}`),
    ];
    const session = callback.session_id;
    if (session) {
      const open = () => actions.openCallOf(session);
      buttons.push(button("Call", `${key}:call`, open, `The call: ${named(callback.name)}`));
    }
    if (callback.status === "open") {
      buttons.unshift(
        button("Start", `${key}:start`, press("in_progress"), `Start: ${named(callback.name)}`),
      );
    }
    const number = callback.phone_number;
    const phone = number ? el("a", { href: `tel:${number}` }, number) : "no number";
    const inProgress = callback.status === "in_progress";
    const started = inProgress ? el("span", { class: "pill progress" }, "In progress") : "";
    const noteLabel = el("label", { for: noteId }, "Note");
    return el(
      "li",
      { class: `callback ${callback.urgency}`, "data-id": String(callback.id) },
      el(
        "div",
        { class: "callback-head" },
        el("strong", {}, callback.reason),
        el("span", { class: `badge ${callback.urgency}` }, `${URGENCY[callback.urgency]} urgency`),
        el("span", { class: "muted" }, age(callback.created_at, now)),
        started,
      ),
      el("p", {}, `${named(callback.name)} · `, phone),
      el("p", { class: "summary" }, callback.summary),
      callback.staff_note ? el("p", { class: "muted" }, `Note: ${callback.staff_note}`) : "",
      el("div", { class: "callback-actions" }, noteLabel, note, ...buttons),
    );
  });
  if (!items.length) items.push(el("li", { class: "muted" }, "No callbacks waiting."));
  list.replaceChildren(...items);
}
