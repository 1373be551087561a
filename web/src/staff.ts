// The staff page: a day's bookings, open callbacks and walk-ins, kept current by polling.
//
// Polling, not server-sent events: the staff key must travel in the Authorization header, and
// the browser's EventSource cannot send one (the key would have to go in the URL, where logs
// and history keep it). Three small requests every few seconds per tablet is cheap, works the
// same behind any proxy and with several API processes, and needs nothing on the server.
import * as api from "./staff/api";
import { clearRecordings, OUTCOMES, renderCall, renderCalls, renderRecordings, renderWeek } from "./staff/calls";
import { type Actions, named, renderCallbacks, renderDay } from "./staff/render";

const POLL_MS = 4000;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const signIn = $("sign-in");
const signInForm = $<HTMLFormElement>("sign-in-form");
const keyInput = $<HTMLInputElement>("staff-key");
const signInError = $("sign-in-error");
const desk = $("desk");
const signOut = $<HTMLButtonElement>("sign-out");
const dayInput = $<HTMLInputElement>("day");
const dayName = $("day-name");
const services = $("services");
const callbacks = $<HTMLOListElement>("callbacks");
const callbackCount = $("callback-count");
const walkInForm = $<HTMLFormElement>("walk-in-form");
const walkInError = $("walk-in-error");
const callsView = $("calls-view");
const callOutcome = $<HTMLSelectElement>("call-outcome");
const callList = $<HTMLOListElement>("calls");
const callCount = $("call-count");
const callDetail = $("call-detail");
const callFacts = $("call-facts");
const transcript = $<HTMLOListElement>("transcript");
const recordings = $("call-recordings");
const weekFigure = $("week");
const statusLine = $("status");
const errorBox = $("error");

// A chosen day, or null to follow "today" at the restaurant (past midnight too).
let chosenDay: string | null = null;
let shownDay = "";
let timer: number | undefined;
let lastDay = "";
let knownCallbacks: Set<number> | null = null;
let lastCalls = "";
// The call whose transcript is open, kept current while it lasts.
let openCallId: number | null = null;
for (const [value, label] of Object.entries(OUTCOMES)) {
  callOutcome.append(new Option(label, value));
}
// Notes being typed survive the list being redrawn by the next poll.
const drafts = new Map<number, string>();
// One key per walk-in being submitted: a retried submission books once.
let walkInKey: string | null = null;

function say(message: string): void {
  statusLine.textContent = message;
}

function showError(box: HTMLElement, message: string | null): void {
  box.hidden = message === null;
  box.textContent = message ?? "";
}

function longDay(iso: string): string {
  const [year, month, day] = iso.split("-").map(Number);
  return new Date(year, month - 1, day).toLocaleDateString(undefined, {
    weekday: "long",
    day: "numeric",
    month: "long",
  });
}

/** Redraws, keeping keyboard focus on the same control, or on its row's next one when the
 * change replaced it (Seated becomes Completed). Focus keys are "<row>:<control>". */
function keepingFocus(draw: () => void): void {
  const active = document.activeElement as HTMLElement | null;
  const key = active?.dataset.focusKey;
  const caret = active instanceof HTMLInputElement ? active.selectionStart : null;
  draw();
  if (!key) return;
  const row = key.slice(0, key.lastIndexOf(":") + 1);
  const again =
    document.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(key)}"]`) ??
    (row ? document.querySelector<HTMLElement>(`[data-focus-key^="${CSS.escape(row)}"]`) : null);
  again?.focus();
  if (again instanceof HTMLInputElement && caret !== null) again.setSelectionRange(caret, caret);
}

const DONE: Record<api.ReservationStatus, string> = {
  seated: "seated",
  completed: "completed",
  no_show: "marked a no-show",
  cancelled: "cancelled",
  confirmed: "confirmed again",
};

const actions: Actions = {
  setStatus(booking, status) {
    void act(async () => {
      const changed = await api.setStatus(booking.confirmation_code, status);
      say(`${named(changed.name)} (${changed.reservation_time}) ${DONE[changed.status]}.`);
    });
  },
  moveCallback(callback, status, note) {
    void act(async () => {
      await api.moveCallback(callback.id, status, note);
      drafts.delete(callback.id);
      say(`Callback to ${named(callback.name)} ${status === "resolved" ? "resolved" : "started"}.`);
    });
  },
  openCallOf(session) {
    void showCall(() => api.callOfSession(session));
  },
};

async function showCall(find: () => Promise<api.CallDetail>): Promise<void> {
  showError(errorBox, null);
  try {
    const found = await find();
    openCallId = found.id;
    showOpenCall(found);
  } catch (error) {
    if (!handled(error)) throw error;
    return;
  }
  callDetail.hidden = false;
  $("call-heading").focus();
}

async function refreshCalls(): Promise<void> {
  const [listed, week] = await Promise.all([api.calls(callOutcome.value), api.week()]);
  const callsJson = JSON.stringify([listed, week]);
  if (callsJson !== lastCalls) {
    lastCalls = callsJson;
    callCount.textContent = listed.total ? `(${listed.total})` : "";
    keepingFocus(() => renderCalls(callList, listed.items, (id) => void showCall(() => api.oneCall(id))));
    renderWeek(weekFigure, week);
  }
  if (openCallId !== null) showOpenCall(await api.oneCall(openCallId));
}

function showOpenCall(call: api.CallDetail): void {
  renderCall(callFacts, transcript, call);
  renderRecordings(recordings, call, listen);
}

/** A part of a call's recording, or null when it cannot be had (the page says why). */
async function listen(id: number, part: number): Promise<Blob | null> {
  showError(errorBox, null);
  try {
    return await api.recording(id, part);
  } catch (error) {
    if (!handled(error)) throw error;
    return null;
  }
}

async function act(change: () => Promise<void>): Promise<void> {
  showError(errorBox, null);
  try {
    await change();
  } catch (error) {
    if (!handled(error)) throw error;
    return;
  }
  await refresh();
}

/** Shows what went wrong; false for a programming error, which should surface. */
function handled(error: unknown, box: HTMLElement = errorBox): boolean {
  if (error instanceof api.SignedOut) {
    leave("Your staff key was not accepted; sign in again.");
  } else if (error instanceof api.Refused || error instanceof api.Unreachable) {
    showError(box, error.message);
  } else {
    return false;
  }
  return true;
}

async function refresh(): Promise<void> {
  try {
    const [day, open] = await Promise.all([api.occupancy(chosenDay), api.openCallbacks()]);
    const bookings = await api.bookings(day.reservation_date);
    shownDay = day.reservation_date;
    if (document.activeElement !== dayInput) dayInput.value = shownDay;
    dayName.textContent = `for ${longDay(shownDay)}`;
    const dayJson = JSON.stringify([day, bookings]);
    if (dayJson !== lastDay) {
      lastDay = dayJson;
      keepingFocus(() => renderDay(services, day, bookings, actions));
    }
    announceNew(open.items);
    callbackCount.textContent = open.total ? `(${open.total})` : "";
    // Redrawn every time: the ages move on even when nothing else does.
    keepingFocus(() => renderCallbacks(callbacks, open.items, drafts, actions));
    await refreshCalls();
    if (errorBox.dataset.fromPolling) showError(errorBox, null);
    delete errorBox.dataset.fromPolling;
  } catch (error) {
    if (error instanceof api.Unreachable || (error instanceof api.Refused && error.status >= 500)) {
      showError(errorBox, `${error.message} The page keeps trying.`);
      errorBox.dataset.fromPolling = "true";
    } else if (!handled(error)) {
      throw error;
    }
  }
}

function announceNew(open: api.Callback[]): void {
  const ids = new Set(open.map((c) => c.id));
  if (knownCallbacks) {
    const fresh = open.filter((c) => !knownCallbacks?.has(c.id));
    const who = fresh.map((c) => `${named(c.name)} (${c.urgency} urgency)`);
    if (who.length) say(`New callback: ${who.join(", ")}.`);
  }
  knownCallbacks = ids;
}

function poll(): void {
  window.clearTimeout(timer);
  timer = window.setTimeout(async () => {
    if (api.storedKey()) {
      if (document.visibilityState === "visible") await refresh();
      poll();
    }
  }, POLL_MS);
}

function enter(): void {
  signIn.hidden = true;
  desk.hidden = false;
  callsView.hidden = false;
  signOut.hidden = false;
  void refresh().then(poll);
}

function leave(message: string | null = null): void {
  api.forgetKey();
  window.clearTimeout(timer);
  desk.hidden = true;
  callsView.hidden = true;
  callDetail.hidden = true;
  openCallId = null;
  lastCalls = "";
  callList.replaceChildren();
  transcript.replaceChildren();
  // A signed-out tablet keeps no audio of a call in memory.
  clearRecordings(recordings);
  signOut.hidden = true;
  signIn.hidden = false;
  lastDay = "";
  knownCallbacks = null;
  say("");
  showError(errorBox, null);
  services.replaceChildren();
  callbacks.replaceChildren();
  showError(signInError, message);
  keyInput.focus();
}

signInForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const key = keyInput.value.trim();
  showError(signInError, null);
  try {
    await api.call("/api/occupancy", {}, key);
  } catch (error) {
    if (error instanceof api.SignedOut) {
      showError(signInError, "That staff key is not right. Check it and try again.");
    } else if (error instanceof api.Refused || error instanceof api.Unreachable) {
      showError(signInError, error.message);
    } else {
      throw error;
    }
    return;
  }
  api.keepKey(key);
  keyInput.value = "";
  enter();
  // Where the work starts; the sign-in form it came from is gone.
  $("day-heading").focus();
});

signOut.addEventListener("click", () => leave());

callOutcome.addEventListener("change", () => void refresh());

$("close-call").addEventListener("click", () => {
  openCallId = null;
  clearRecordings(recordings);
  callDetail.hidden = true;
  $("calls-heading").focus();
});

dayInput.addEventListener("change", () => {
  chosenDay = dayInput.value || null;
  void refresh();
});

$("today").addEventListener("click", () => {
  chosenDay = null;
  void refresh();
});

walkInForm.addEventListener("input", () => {
  walkInKey = null; // a changed form is a new walk-in, not a retry
});

walkInForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const data = new FormData(walkInForm);
  walkInKey ??= api.newIdempotencyKey();
  showError(walkInError, null);
  try {
    const made = await api.seatWalkIn(
      {
        name: String(data.get("name") ?? ""),
        phone_number: String(data.get("phone") ?? ""),
        party_size: Number(data.get("party")),
        notes: String(data.get("notes") ?? ""),
      },
      walkInKey,
    );
    walkInForm.reset();
    walkInKey = null;
    say(`Walk-in seated: ${named(made.name)}, ${made.party_size} guests at ${made.reservation_time}.`);
    if (chosenDay !== null && chosenDay !== made.reservation_date) chosenDay = null;
  } catch (error) {
    if (error instanceof api.Refused && Array.isArray(error.body.alternatives)) {
      const times = (error.body.alternatives as api.Alternative[]).map((a) =>
        a.reservation_date === shownDay
          ? a.reservation_time
          : `${a.reservation_time} on ${longDay(a.reservation_date)}`,
      );
      const nearest = times.length ? ` Nearest free: ${times.join(", ")}.` : "";
      showError(walkInError, `${error.message}${nearest}`);
    } else if (!handled(error, walkInError)) {
      throw error;
    }
    return;
  }
  await refresh();
});

document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible" && api.storedKey()) void refresh();
});

async function showRestaurant(): Promise<void> {
  try {
    const response = await fetch("/api/restaurant");
    if (!response.ok) return;
    const info = await response.json();
    document.title = `Staff desk · ${info.name}`;
    $("restaurant-name").textContent = info.name;
  } catch {
    // The page works without it.
  }
}

void showRestaurant();
if (api.storedKey()) enter();
else keyInput.focus();
