// The staff API as the staff page uses it: the key from sessionStorage in an Authorization
// header (never a cookie, never a URL), and errors as the sentences the API answers with.

const KEY = "staff-key";

export type ReservationStatus = "confirmed" | "seated" | "completed" | "no_show" | "cancelled";
export type CallbackStatus = "open" | "in_progress" | "resolved";

// Names and numbers are null once a past visit or a resolved callback has been anonymised.
export interface Reservation {
  confirmation_code: string;
  phone_number: string | null;
  name: string | null;
  reservation_date: string;
  reservation_time: string;
  party_size: number;
  other_info: Record<string, unknown>;
  status: ReservationStatus;
  // The call that made it (GET /api/calls/session/{session_id}), or null.
  session_id: string | null;
}

export interface Callback {
  id: number;
  name: string | null;
  phone_number: string | null;
  reason: string;
  summary: string;
  urgency: "low" | "normal" | "high";
  status: CallbackStatus;
  staff_note: string | null;
  session_id: string | null;
  created_at: string;
}

export interface Service {
  service: string;
  opens: string;
  closes: string;
  slots: { time: string; covers: number }[];
}

export interface Occupancy {
  reservation_date: string;
  capacity_covers: number;
  services: Service[];
}

interface Page<T> {
  items: T[];
  total: number;
}

/** The API refused the key: the page signs out. */
export class SignedOut extends Error {}
/** The API answered with an error; the message is its `detail`, for people. */
export class Refused extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(message);
  }
}
/** The server could not be reached at all. */
export class Unreachable extends Error {}

export const storedKey = (): string | null => sessionStorage.getItem(KEY);
export const keepKey = (key: string): void => sessionStorage.setItem(KEY, key);
export const forgetKey = (): void => sessionStorage.removeItem(KEY);

async function send(path: string, init: RequestInit, key: string | null): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("Authorization", `Bearer ${key ?? ""}`);
  if (init.body) headers.set("Content-Type", "application/json");
  let response: Response;
  try {
    response = await fetch(path, { ...init, headers, cache: "no-store" });
  } catch {
    throw new Unreachable("Can't reach the restaurant's server. Check the connection.");
  }
  if (response.status === 401) throw new SignedOut("That staff key is not right.");
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    const detail = typeof body.detail === "string" ? body.detail : `Error ${response.status}.`;
    throw new Refused(detail, response.status, body);
  }
  return response;
}

export async function call<T>(path: string, init: RequestInit = {}, key = storedKey()): Promise<T> {
  const response = await send(path, init, key);
  return (await response.json().catch(() => ({}))) as T;
}

export const occupancy = (day: string | null) =>
  call<Occupancy>(day ? `/api/occupancy?date=${day}` : "/api/occupancy");

/** Every booking of a day, whatever the page size. */
export async function bookings(day: string): Promise<Reservation[]> {
  const all: Reservation[] = [];
  for (let page = 1; ; page++) {
    const found = await call<Page<Reservation>>(
      `/api/reservations?date=${day}&page_size=200&page=${page}`,
    );
    all.push(...found.items);
    if (all.length >= found.total || found.items.length === 0) return all;
  }
}

export const openCallbacks = () =>
  call<Page<Callback>>("/api/escalations?status=open&status=in_progress&page_size=200");

export const setStatus = (code: string, status: ReservationStatus) =>
  call<Reservation>(`/api/reservations/code/${encodeURIComponent(code)}`, {
    method: "PATCH",
    body: JSON.stringify({ status }),
  });

export const moveCallback = (id: number, status: CallbackStatus, note: string) =>
  call<Callback>(`/api/escalations/${id}`, {
    method: "PATCH",
    body: JSON.stringify(note ? { status, note } : { status }),
  });

export interface Alternative {
  reservation_date: string;
  reservation_time: string;
}

export interface WalkIn {
  name: string;
  phone_number: string;
  party_size: number;
  notes: string;
}

export const seatWalkIn = (walkIn: WalkIn, idempotencyKey: string) =>
  call<Reservation>("/api/reservations", {
    method: "POST",
    headers: { "Idempotency-Key": idempotencyKey },
    body: JSON.stringify({ ...walkIn, walk_in: true }),
  });

/** A fresh key for one walk-in; retries of the same submission reuse it. getRandomValues,
 * unlike randomUUID, works on a plain-http page (a tablet on the restaurant's network). */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export type CallOutcome =
  | "in_progress"
  | "dropped"
  | "failed"
  | "transferred"
  | "callback"
  | "booked"
  | "changed"
  | "cancelled"
  | "answered"
  | "hung_up"
  | "no_action";

export interface Call {
  id: number;
  channel: "web" | "phone";
  // Masked in the list; whole in one call's own answer, for a callback.
  caller_number: string | null;
  started_at: string;
  duration_seconds: number | null;
  outcome: CallOutcome;
  booked: string[];
  agents: string[];
  reply_delay_p50: number | null;
  reply_delay_worst: number | null;
  transcript_removed_at: string | null;
}

export interface CallLine {
  at: string;
  speaker: "caller" | "agent" | "tool";
  text: string;
}

export interface CallDetail extends Call {
  lines: CallLine[];
  // How many recordings the call has (one per agent that took it), 0 with recording off.
  recordings: number;
}

export interface CallWeek {
  start: string;
  days: { day: string; calls: number; hours: number[] }[];
  calls: number;
  handled_share: number | null;
  bookings: number;
  covers: number;
  callbacks: number;
  transfers: number;
  dropped: number;
  average_seconds: number | null;
  reply_delay_p50: number | null;
}

export const calls = (outcome: string) =>
  call<Page<Call>>(`/api/calls?page_size=50${outcome ? `&outcome=${outcome}` : ""}`);
export const oneCall = (id: number) => call<CallDetail>(`/api/calls/${id}`);
export const callOfSession = (session: string) =>
  call<CallDetail>(`/api/calls/session/${encodeURIComponent(session)}`);
export const week = () => call<CallWeek>("/api/calls/week");
/** One part of a call's recording (Ogg Opus), fetched with the key: an <audio> element
 * given the URL could not send it. */
export async function recording(id: number, part: number): Promise<Blob> {
  const response = await send(`/api/calls/${id}/recording?part=${part}`, {}, storedKey());
  return await response.blob();
}
