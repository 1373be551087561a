// The call page: a caller talks to the restaurant's voice receptionist over LiveKit.
import {
  ConnectionState,
  DisconnectReason,
  ParticipantKind,
  Room,
  RoomEvent,
  Track,
  type Participant,
  type RemoteParticipant,
  type RemoteTrack,
  type TextStreamReader,
} from "livekit-client";

// Published by the agent when a booking is created, changed or cancelled (see docs/voice-agent.md).
const NOTICE_TOPIC = "restaurant.reservation";
// Sent by the API when no agent can answer this call (api/call_watch.py).
const STATUS_TOPIC = "restaurant.status";
const TRANSCRIPTION_TOPIC = "lk.transcription";
const AGENT_STATE = "lk.agent.state";

interface Notice {
  type: "reservation.created" | "reservation.updated" | "reservation.cancelled";
  confirmation_code: string;
  reservation_date: string;
  reservation_time: string;
  party_size: number;
  name: string;
  status: string;
}

interface Status {
  type: "agent.unavailable";
  message: string;
  phone: string;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const callButton = $<HTMLButtonElement>("call");
const hangUpButton = $<HTMLButtonElement>("hang-up");
const connectionState = $("connection-state");
const agentState = $("agent-state");
const errorBox = $("error");
const transcript = $<HTMLOListElement>("transcript");
const agentAudio = $<HTMLAudioElement>("agent-audio");

const AGENT_STATE_WORDS: Record<string, string> = {
  initializing: "Joining…",
  listening: "Listening",
  thinking: "Thinking…",
  speaking: "Speaking",
  idle: "Waiting",
};
const CONNECTION_WORDS: Record<string, string> = {
  [ConnectionState.Connecting]: "Connecting…",
  [ConnectionState.Connected]: "Connected",
  [ConnectionState.Reconnecting]: "Reconnecting…",
  [ConnectionState.SignalReconnecting]: "Reconnecting…",
  [ConnectionState.Disconnected]: "Not connected",
};

let room: Room | null = null;

class CallError extends Error {}

function showError(message: string): void {
  errorBox.textContent = message;
  errorBox.hidden = false;
}

function clearError(): void {
  errorBox.hidden = true;
  errorBox.textContent = "";
}

async function fetchToken(): Promise<{ server_url: string; participant_token: string }> {
  let response: Response;
  try {
    response = await fetch("/api/token", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
  } catch {
    throw new CallError("Can't reach the restaurant's server. Check your connection and try again.");
  }
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    const detail = typeof body.detail === "string" ? body.detail : `error ${response.status}`;
    // Every line busy (a 503 that says when to try again): not a fault, so no "could not".
    if (response.status === 503 && response.headers.has("Retry-After")) {
      const busy = detail.startsWith("The line is busy") ? detail : `The line is busy. ${detail}`;
      throw new CallError(busy);
    }
    throw new CallError(`The call could not be started: ${detail}`);
  }
  return response.json();
}

function microphoneProblem(error: unknown): string {
  const name = error instanceof DOMException ? error.name : "";
  if (name === "NotAllowedError" || name === "SecurityError") {
    return "Microphone access was refused. Allow the microphone for this page, then call again.";
  }
  if (name === "NotFoundError") return "No microphone was found. Connect one and call again.";
  return "The microphone could not be started. Check it is not in use, then call again.";
}

function setCalling(active: boolean): void {
  callButton.hidden = active;
  hangUpButton.hidden = !active;
  callButton.disabled = false;
  (active ? hangUpButton : callButton).focus();
}

async function startCall(): Promise<void> {
  clearError();
  callButton.disabled = true;
  const next = new Room({ adaptiveStream: true, dynacast: true });
  wire(next);
  room = next;
  try {
    const { server_url, participant_token } = await fetchToken();
    try {
      await next.connect(server_url, participant_token);
    } catch {
      throw new CallError("Couldn't connect to the call server. Please try again in a moment.");
    }
    // The agent may have joined before us; its state is then already in its attributes.
    next.remoteParticipants.forEach(showAgentState);
    // Inside the click handler, so the browser lets the agent's voice play.
    await next.startAudio();
    try {
      await next.localParticipant.setMicrophoneEnabled(true);
    } catch (error) {
      throw new CallError(microphoneProblem(error));
    }
    setCalling(true);
  } catch (error) {
    await next.disconnect();
    room = null;
    setCalling(false);
    showError(error instanceof CallError ? error.message : "Something went wrong starting the call.");
  }
}

async function hangUp(): Promise<void> {
  await room?.disconnect();
}

function wire(current: Room): void {
  current
    .on(RoomEvent.ConnectionStateChanged, (state: ConnectionState) => {
      connectionState.textContent = CONNECTION_WORDS[state] ?? state;
    })
    .on(RoomEvent.Disconnected, (reason?: DisconnectReason) => {
      connectionState.textContent = "Call ended";
      agentState.textContent = "—";
      setCalling(false);
      // The receptionist ends a call by closing its room (after a goodbye: a long silence, the
      // longest a call may last); only other reasons are a dropped call.
      const ended = [DisconnectReason.CLIENT_INITIATED, DisconnectReason.ROOM_DELETED];
      if (reason !== undefined && !ended.includes(reason)) {
        showError("The call was disconnected.");
      }
      room = null;
    })
    .on(RoomEvent.TrackSubscribed, (track: RemoteTrack) => {
      if (track.kind === Track.Kind.Audio) track.attach(agentAudio);
    })
    .on(RoomEvent.ParticipantConnected, showAgentState)
    .on(RoomEvent.ParticipantAttributesChanged, (_changed: Record<string, string>, who: Participant) =>
      showAgentState(who),
    )
    .on(RoomEvent.DataReceived, (payload: Uint8Array, _who?: RemoteParticipant, _kind?: unknown, topic?: string) => {
      const body: unknown = JSON.parse(new TextDecoder().decode(payload));
      if (topic === NOTICE_TOPIC) showBooking(body as Notice);
      if (topic === STATUS_TOPIC && (body as Status).type === "agent.unavailable") {
        agentUnavailable = true;
        showError((body as Status).message);
      }
    });
  current.registerTextStreamHandler(TRANSCRIPTION_TOPIC, (reader, from) => {
    void showTranscript(reader, from.identity === current.localParticipant.identity);
  });
}

// Whether the error box says no agent can answer; an agent joining after all clears it.
let agentUnavailable = false;

function showAgentState(participant: Participant): void {
  if (participant.kind !== ParticipantKind.AGENT) return;
  if (agentUnavailable) {
    agentUnavailable = false;
    clearError();
  }
  const state = participant.attributes[AGENT_STATE] ?? "initializing";
  agentState.textContent = AGENT_STATE_WORDS[state] ?? state;
  agentState.dataset.state = state;
}

async function showTranscript(reader: TextStreamReader, fromCaller: boolean): Promise<void> {
  const segment = reader.info.attributes?.["lk.segment_id"] ?? reader.info.id;
  let item = transcript.querySelector<HTMLLIElement>(`li[data-segment="${CSS.escape(segment)}"]`);
  if (!item) {
    transcript.querySelector(".empty")?.remove();
    item = document.createElement("li");
    item.dataset.segment = segment;
    item.className = fromCaller ? "caller" : "agent";
    const speaker = document.createElement("span");
    speaker.className = "speaker";
    speaker.textContent = fromCaller ? "You" : "Receptionist";
    item.append(speaker, document.createElement("span"));
    transcript.append(item);
  }
  const text = item.lastElementChild as HTMLSpanElement;
  let said = "";
  try {
    for await (const chunk of reader) {
      said += chunk;
      text.textContent = said;
    }
  } catch {
    // Hanging up mid-sentence ends the stream early; keep what arrived.
    return;
  }
  if (reader.info.attributes?.["lk.transcription_final"] === "true") item.dataset.final = "true";
}

function showBooking(notice: Notice): void {
  const [year, month, day] = notice.reservation_date.split("-").map(Number);
  const date = new Date(year, month - 1, day);
  const words: Record<Notice["type"], string> = {
    "reservation.created": "Confirmed",
    "reservation.updated": "Changed",
    "reservation.cancelled": "Cancelled",
  };
  $("booking-status").textContent = words[notice.type];
  $("booking-code").textContent = notice.confirmation_code;
  $("booking-date").textContent = date.toLocaleDateString(undefined, {
    weekday: "long",
    day: "numeric",
    month: "long",
  });
  $("booking-time").textContent = notice.reservation_time;
  $("booking-party").textContent = String(notice.party_size);
  $("booking-name").textContent = notice.name;
  $("booking").hidden = false;
}

async function showRestaurant(): Promise<void> {
  try {
    const response = await fetch("/api/restaurant");
    if (!response.ok) return;
    const info = await response.json();
    document.title = `Call ${info.name}`;
    $("restaurant-name").textContent = `Call ${info.name}`;
    $("restaurant-address").textContent = info.address;
  } catch {
    // The page works without it: the heading stays generic.
  }
}

callButton.addEventListener("click", () => void startCall());
hangUpButton.addEventListener("click", () => void hangUp());
void showRestaurant();
