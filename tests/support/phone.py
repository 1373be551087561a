"""Real telephony for end-to-end tests: Redis, livekit-sip, and baresip as the phone.

Everything listens on and sends to 127.0.0.1 only. livekit-sip binds its RTP ports on 0.0.0.0
(hard-coded), but it announces 127.0.0.1 (sip.yaml's nat_1_to_1_ip) and each baresip announces
and binds the loopback interface, so no packet is addressed anywhere else.
"""

from __future__ import annotations

import array
import asyncio
import math
import random
import shutil
import socket
import subprocess
import wave
from dataclasses import dataclass, field
from pathlib import Path

from livekit import api, rtc

from core.settings import PROJECT_ROOT
from ops.sip import read_sip_config, redis_command, sip_command
from testkit.caller import TRANSCRIPTION_TOPIC
from testkit.stack import (
    LIVEKIT_KEY,
    LIVEKIT_SECRET,
    TOOLS_BIN,
    Process,
    free_port,
    sample_without_closed_dates,
    wait_for,
)

PHONE_AUDIO = PROJECT_ROOT / "tests" / "fixtures" / "audio" / "phone"
RATE = 8000
BARESIP_MODULES = Path("/usr/lib/baresip/modules")


def find_program(name: str) -> str | None:
    found = shutil.which(name, path=f"{TOOLS_BIN}:/usr/sbin:/usr/bin")
    if name == "baresip" and not (BARESIP_MODULES / "aufile.so").exists():
        return None
    return found


def compose(path: Path, parts: list[str | float | bytes]) -> float:
    """A phone microphone: fixtures by name, 8 kHz s16 PCM (a line in the Piper voice) and
    seconds of silence, in order; its length."""
    samples = array.array("h")
    for part in parts:
        if isinstance(part, bytes):
            samples.frombytes(part)
        elif isinstance(part, str):
            with wave.open(str(PHONE_AUDIO / f"{part}.wav"), "rb") as wav:
                assert wav.getframerate() == RATE and wav.getnchannels() == 1
                samples.frombytes(wav.readframes(wav.getnframes()))
        else:
            samples.extend([0] * round(part * RATE))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(samples.tobytes())
    return len(samples) / RATE


def rtp_range(size: int = 200) -> str:
    """A port range for RTP; the programs skip ports another process holds."""
    start = random.randrange(40000, 60000 - size, 2)
    return f"{start}-{start + size}"


@dataclass
class Telephony:
    """Redis and livekit-sip for one LiveKit server, on free loopback ports."""

    workdir: Path
    redis_binary: str
    sip_binary: str
    redis_port: int = field(default_factory=free_port)
    sip_port: int = field(default_factory=lambda: free_port(socket.SOCK_DGRAM))

    def __post_init__(self) -> None:
        self.redis_config: dict[str, object] = {"address": f"127.0.0.1:{self.redis_port}"}

    def start_redis(self, env: dict[str, str]) -> Process:
        argv = redis_command(self.redis_binary, self.redis_config, self.workdir / "redis.conf")
        redis = Process("redis", argv, env, self.workdir / "redis.log")
        redis.start_and_wait(
            lambda: "Ready to accept connections" in redis.output(), "Redis to start"
        )
        return redis

    def start_sip(self, env: dict[str, str], livekit_url: str, key: str, secret: str) -> Process:
        # The project's sip.yaml, on ports free for this run.
        config = read_sip_config(PROJECT_ROOT / "sip.yaml")
        config.update(sip_port=self.sip_port, rtp_port=rtp_range())
        livekit = (livekit_url, key, secret)
        config_file = self.workdir / "livekit-sip.yaml"
        argv = sip_command(self.sip_binary, config_file, config, self.redis_config, livekit)
        sip = Process("livekit-sip", argv, env, self.workdir / "livekit-sip.log")
        sip.start_and_wait(
            lambda: "sip signaling listening on" in sip.output(), "livekit-sip to listen", 60
        )
        return sip


@dataclass
class Phone:
    """One baresip: dials (or, as the staff phone, answers), plays a WAV, records what it hears."""

    name: str
    workdir: Path
    user: str
    microphone: Path
    port: int = field(default_factory=free_port)
    console: int = field(default_factory=lambda: free_port(socket.SOCK_DGRAM))
    process: subprocess.Popen[bytes] | None = None

    @property
    def home(self) -> Path:
        return self.workdir / self.name

    @property
    def log(self) -> Path:
        return self.home / "baresip.log"

    @property
    def address(self) -> str:
        return f"sip:{self.user}@127.0.0.1:{self.port}"

    def configure(self, *, answer: bool = False) -> None:
        (self.home / "heard").mkdir(parents=True, exist_ok=True)
        modules = ["g711", "aufile", "alsa", "sndfile", "cons", "account"]
        config = [
            "poll_method epoll",
            # Bind and announce the loopback interface only.
            "net_interface 127.0.0.1",
            f"sip_listen 127.0.0.1:{self.port}",
            f"audio_source aufile,{self.microphone}",
            # Nothing to play to; sndfile records the decoded audio before the player.
            "audio_player alsa,null",
            "audio_alert alsa,null",
            "ausrc_srate 8000",
            "auplay_srate 8000",
            f"rtp_ports {rtp_range(100)}",
            f"module_path {BARESIP_MODULES}",
            *(f"module {m}.so" for m in modules),
            "module_app menu.so",
            f"snd_path {self.home / 'heard'}",
            f"cons_listen 127.0.0.1:{self.console}",
        ]
        (self.home / "config").write_text("\n".join(config) + "\n")
        mode = ";answermode=auto" if answer else ""
        account = f"<sip:{self.user}@127.0.0.1:{self.port}>;regint=0{mode}\n"
        (self.home / "accounts").write_text(account)

    def start(self, *commands: str, seconds: float) -> None:
        """Run baresip for at most `seconds`, executing `commands` (e.g. "/dial sip:...")."""
        argv = ["baresip", "-f", str(self.home), "-t", str(round(seconds))]
        for command in commands:
            argv += ["-e", command]
        handle = self.log.open("ab")
        self.process = subprocess.Popen(argv, stdout=handle, stderr=subprocess.STDOUT)
        wait_for(lambda: "baresip is ready" in self.output(), f"{self.name} to start", 30)

    def speak(self, microphone: Path) -> None:
        """Play another WAV as the microphone from now on (baresip's /ausrc, mid-call): a caller
        who answers when the agent has asked, however long the agent took."""
        self.send(f"/ausrc aufile,{microphone}")

    def send(self, command: str) -> None:
        """A command line to baresip's console (the cons module), e.g. "/sndcode 123#"."""
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.sendto(f"{command}\n".encode(), ("127.0.0.1", self.console))

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def heard(self) -> list[Path]:
        """What it received in each call (sndfile's decoded dumps)."""
        return sorted((self.home / "heard").glob("*-dec.wav"))

    def wait(self, timeout: float) -> None:
        assert self.process is not None
        self.process.wait(timeout=timeout)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@dataclass
class Listener:
    """A hidden participant in a phone call's room: what the agent said to the phone, as the
    agent's own transcript of its speech (the phone itself only hears the stand-in's tones)."""

    room: rtc.Room = field(default_factory=rtc.Room)
    # (speaker's identity, line): the agent's lines, and the caller's as the agent heard them.
    lines: list[tuple[str, str]] = field(default_factory=list)
    _reading: set[asyncio.Task[None]] = field(default_factory=set)

    async def join(self, livekit_url: str, room_name: str) -> None:
        # Hidden: the agent never sees it, so the call goes on as if it were not there.
        grants = api.VideoGrants(
            room_join=True, room=room_name, hidden=True, can_subscribe=True, can_publish=False
        )
        token = (
            api.AccessToken(LIVEKIT_KEY, LIVEKIT_SECRET)
            .with_identity("listener")
            .with_grants(grants)
            .to_jwt()
        )
        self.room.register_text_stream_handler(TRANSCRIPTION_TOPIC, self._on_text)
        await self.room.connect(livekit_url, token)

    def _on_text(self, reader: rtc.TextStreamReader, participant_identity: str) -> None:
        async def read() -> None:
            try:
                text = await reader.read_all()
            except rtc.data_stream.StreamError:
                return  # the room went away mid-line
            if (reader.info.attributes or {}).get("lk.transcription_final") == "true":
                self.lines.append((participant_identity, text))

        task = asyncio.create_task(read())
        self._reading.add(task)
        task.add_done_callback(self._reading.discard)

    def said_to(self, caller: str) -> list[str]:
        """The agent's lines: everything but what the caller with this identity said."""
        return [text for speaker, text in self.lines if speaker != caller]

    async def leave(self) -> None:
        await self.room.disconnect()


def staff_restaurant(workdir: Path, staff: str) -> Path:
    """The sample restaurant with `staff` taking transferred calls at every hour."""
    head, _, _ = sample_without_closed_dates().partition("[staff]")
    path = workdir / "restaurant.toml"
    path.write_text(f'{head}[staff]\nduring_service = "{staff}"\nafter_hours = "{staff}"\n')
    return path


def loudest(path: Path, window: float = 0.5) -> float:
    """The RMS of the loudest `window` seconds of a 16-bit WAV: is anything audible in it."""
    with wave.open(str(path), "rb") as wav:
        rate = wav.getframerate()
        samples = array.array("h", wav.readframes(wav.getnframes()))
    step = max(1, round(window * rate))
    best = 0.0
    for start in range(0, max(1, len(samples) - step + 1), step):
        chunk = samples[start : start + step]
        if chunk:
            best = max(best, math.sqrt(sum(s * s for s in chunk) / len(chunk)) / 32768)
    return best


def recording(path: Path) -> rtc.AudioFrame:
    """A phone's recording (sndfile's 16-bit mono WAV) as one frame."""
    with wave.open(str(path), "rb") as wav:
        assert wav.getsampwidth() == 2 and wav.getnchannels() == 1
        pcm = wav.readframes(wav.getnframes())
        return rtc.AudioFrame(pcm, wav.getframerate(), 1, len(pcm) // 2)
