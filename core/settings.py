"""Settings from the environment (and a `.env` file), shared by the API and the worker."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, HttpUrl, SecretStr, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from core.errors import StartupError
from core.keys import exposed_weak_keys, is_loopback
from core.notices.messages import EventType
from core.notices.signature import secret_key

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# What a browser sends as its Origin header: a scheme, a host and perhaps a port, nothing more.
ORIGIN = re.compile(r"https?://[a-z0-9.-]+(:[0-9]{1,5})?|https?://\[[0-9a-f:.]+\](:[0-9]{1,5})?")
# s3://bucket[/prefix]: a bucket name S3 accepts (no "xn--" rules checked), and a prefix of
# path parts, none empty or "..", so the keys stay under it.
_BUCKET_NAME = r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]"
_PREFIX_PART = r"(?!\.\.?(?:/|$))[A-Za-z0-9_.-]+"
BUCKET_URL = re.compile(rf"s3://{_BUCKET_NAME}(?:/{_PREFIX_PART})*/?")


class Settings(BaseSettings):
    """Every setting of the product; the table in docs/configuration.md lists them."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    # An external PostgreSQL (>= 14); when unset an embedded server is started under data_dir.
    database_url: str | None = None
    data_dir: Path = PROJECT_ROOT / ".data"
    restaurant_config: Path = PROJECT_ROOT / "restaurant.toml"

    # Required by every /api/ route except the public token endpoint.
    api_key: SecretStr | None = None
    # Kept small on purpose: one uvicorn worker saturates well below this.
    db_pool_min_size: int = Field(default=2, ge=0)
    db_pool_max_size: int = Field(default=10, ge=1)
    # Fail fast when the database is unreachable instead of hanging a caller.
    db_timeout_seconds: float = Field(default=2.0, gt=0)
    # A call's job process closes its database connection once idle this long, so concurrent
    # calls hold only the connections of those using the database now (agent/main.py).
    worker_db_idle_seconds: float = Field(default=1.0, gt=0, le=300)

    # The largest request body any route takes, in bytes; larger ones are refused 413 as they
    # arrive. The largest real one (a callback's 1000-character note, every character escaped
    # in JSON) is under 13 KB.
    max_body_bytes: int = Field(default=32_768, ge=4_096)
    # /openapi.json and the interactive docs at /docs: "staff" (the schema, with the staff
    # key), "public" (both, to anyone), or "off" (api/routes/docs.py).
    api_docs: Literal["off", "staff", "public"] = "staff"

    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8000, ge=1, le=65535)

    # LiveKit: the worker registers with livekit_url; the public token endpoint signs caller
    # tokens with the key and secret (it answers 503 without them).
    livekit_url: str = "ws://127.0.0.1:7880"
    livekit_api_key: SecretStr | None = None
    livekit_api_secret: SecretStr | None = None
    # The URL browsers and apps connect to, when it differs from the worker's (e.g. a proxy).
    livekit_public_url: str | None = None
    # What `receptionist up` starts livekit-server with when livekit_url is a local address
    # nobody listens on; the port always comes from livekit_url, so the two cannot disagree.
    livekit_server_config: Path = PROJECT_ROOT / "livekit.yaml"
    # Token requests allowed per client address (an IPv6 client's /64), moving window, as a
    # `limits` rate string.
    token_rate_limit: str = "10/minute"
    # Browser origins besides loopback ones allowed to call the token endpoint, each
    # scheme://host[:port], comma-separated. Only that public route gets CORS: the staff routes
    # stay same-origin.
    token_cors_origins: Annotated[tuple[str, ...], NoDecode] = ()
    # Calls (browser, app and phone) this deployment carries at once; over it the token
    # endpoint answers 503 with Retry-After (api/live_calls.py).
    max_concurrent_calls: int = Field(default=10, ge=1, le=10_000)

    log_level: str = "INFO"

    # Notices for staff (docs/notices.md), posted by the API from the outbox. Unset:
    # nothing is posted; notices wait in the outbox until a URL is set, up to the give-up age.
    # https, unless the receiver is on this machine: notices carry callers' names and numbers.
    staff_webhook_url: HttpUrl | None = None
    # Signs every notice (Standard Webhooks): "whsec_" and the base64 of 24-64 random bytes.
    # Unset: notices go unsigned.
    staff_webhook_secret: SecretStr | None = None
    # Besides callbacks, which are always sent: reservation.created, reservation.cancelled
    # (bookings the voice agent makes or cancels), comma-separated.
    staff_webhook_events: Annotated[frozenset[EventType], NoDecode] = frozenset()
    # One attempt's limit; a receiver slower than this is tried again later.
    staff_webhook_timeout_seconds: float = Field(default=5.0, gt=0, le=120)
    # Backoff after a failed attempt: the first wait, doubling up to the longest.
    staff_webhook_retry_seconds: float = Field(default=2.0, gt=0)
    staff_webhook_retry_max_seconds: float = Field(default=300.0, gt=0)
    # A notice not delivered by then is given up (logged); its callback stays on the staff page.
    staff_webhook_give_up_hours: float = Field(default=24.0, gt=0)
    # How often each API process looks for due notices.
    staff_webhook_poll_seconds: float = Field(default=1.0, gt=0, le=60)

    # The voice agent. Without an agent name the worker joins every new room (the Agents
    # Playground works as is); with one it waits for explicit dispatch.
    agent_name: str = ""
    openai_api_key: SecretStr | None = None
    # An OpenAI-compatible server (another provider, a self-hosted model) for the pipeline mode.
    openai_base_url: str | None = None
    # "realtime": OpenAI Realtime speech-to-speech; "pipeline": speech-to-text, LLM, text-to-speech.
    speech_mode: Literal["realtime", "pipeline"] = "realtime"
    realtime_model: str = "gpt-realtime"
    realtime_voice: str = "marin"
    stt_model: str = "gpt-4o-mini-transcribe"
    llm_model: str = "gpt-4.1-mini"
    tts_model: str = "gpt-4o-mini-tts"
    tts_voice: str = "marin"
    # The pipeline mode's speech on the worker's own CPU (docs/voice-agent.md#local-speech): "local"
    # hears with faster-whisper and speaks with Piper (the local-speech extra); no audio leaves.
    stt_provider: Literal["openai", "local"] = "openai"
    tts_provider: Literal["openai", "local"] = "openai"
    # A faster-whisper model name ("tiny.en", "base.en", "small") or folder, and a Piper voice
    # name ("en_US-joe-medium") or .onnx file; a name not on the machine is fetched once into
    # LOCAL_SPEECH_CACHE (the packaged tiny.en and en_US-joe-medium never are).
    local_stt_model: str = Field(default="tiny.en", min_length=1)
    local_tts_voice: str = Field(default="en_US-joe-medium", min_length=1)
    local_speech_cache: Path = PROJECT_ROOT / ".data" / "speech-models"
    # Cores one recognition may use; each call recognizes one segment at a time.
    local_stt_threads: int = Field(default=1, ge=1, le=64)
    # "package.module:function" returning the session's models (a SpeechModels dict) instead
    # of the built-in OpenAI ones: for other plugins, and for the end-to-end tests' stand-ins.
    speech_models_factory: str | None = None
    # The worker stops taking calls while the machine's CPU load (0-1) is at or above this;
    # LiveKit's default. Above 1 (e.g. "inf") it never refuses one (agent/worker.py);
    # livekit-server then still applies its own agents.target_load (livekit.yaml).
    worker_load_threshold: float = Field(default=0.7, gt=0)
    # The worker's health-check HTTP server (GET / answers while it can take calls); 0 picks a
    # free port. LiveKit binds all interfaces by default; loopback is enough unless an outside
    # load balancer probes it.
    worker_host: str = "127.0.0.1"
    worker_port: int = Field(default=8081, ge=0, le=65535)
    # Prometheus metrics of the worker's calls at http://WORKER_HOST:port/metrics
    # (docs/operations.md); unset, none: the endpoint has no key of its own, so it is opened
    # only when an operator asks for it, on the health server's (loopback) address.
    worker_metrics_port: int | None = Field(default=None, ge=0, le=65535)
    # How often the worker tries to reach LiveKit before it gives up and exits with status 1;
    # unset, it never gives up (retrying every 10 s at most), so an outage only delays calls.
    worker_max_retry: int | None = Field(default=None, ge=0)
    # The voice activity detector: "native" is livekit-agents' own build of Silero
    # (livekit.agents.inference.VAD), "silero" the plugin. Its silence is only when speech is
    # taken to have stopped; how long a pause ends the caller's turn is endpointing's, below.
    vad_model: Literal["native", "silero"] = "native"
    vad_min_silence_seconds: float = Field(default=0.25, gt=0, le=5)
    # "vad": the pause the expected answer allows ends the turn (agent/turns/endpointing.py);
    # "audio-eot": livekit's local audio end-of-turn model (v1-mini, never the cloud one) may
    # add patience.
    turn_detector: Literal["vad", "audio-eot"] = "vad"
    # Endpointing, after the caller's last speech (agent/turns/endpointing.py): quick for a yes or
    # no and a complete value, default for free text, patient for numbers, names and dates, hold for
    # an answer a transcript shows is unfinished ("nine eight two zero", "on ...").
    turn_quick_seconds: float = Field(default=0.25, ge=0, le=5)
    turn_default_seconds: float = Field(default=0.5, ge=0, le=5)
    turn_patient_seconds: float = Field(default=1.2, ge=0, le=5)
    turn_hold_seconds: float = Field(default=2.0, ge=0, le=10)

    # Phone calls through LiveKit SIP (livekit-sip), off unless asked for: browser and app
    # calls need none of it. See docs/phone.md.
    sip_enabled: bool = False
    # The restaurant's number(s) the trunk delivers calls to, comma-separated; empty: the
    # phone in restaurant.toml.
    sip_inbound_numbers: str = ""
    # Addresses (or CIDR ranges) allowed to send calls: the carrier's signalling addresses.
    sip_allowed_addresses: str = "127.0.0.1"
    # Digest authentication the carrier must answer, both or neither.
    sip_auth_username: str = ""
    sip_auth_password: SecretStr | None = None
    # livekit-sip's own settings (SIP and RTP ports, addresses); `up` adds the keys and Redis.
    sip_config: Path = PROJECT_ROOT / "sip.yaml"
    # livekit-sip and livekit-server meet in Redis; a loopback URL nothing listens on is
    # started by `up` (Debian's redis-server, no persistence). Set, the API processes also
    # share their token rate limit and call cap through it (docs/scaling.md); unset, `up` uses
    # redis://127.0.0.1:6379 for the phone, and each API process keeps its limits in memory.
    redis_url: str | None = None
    # A phone caller silent this long is told goodbye and the call ends.
    phone_silence_seconds: float = Field(default=30.0, gt=0, le=600)
    # Caller ID is a hint unless this says otherwise: "attested" lets a call whose carrier
    # attested the caller's number (STIR/SHAKEN level A) hear and change the bookings under it
    # without a code or name. Only for a trunk whose carrier verifies and sets that header.
    trust_caller_id: Literal["off", "attested"] = "off"
    # The SIP header in which the carrier passes its verification on (e.g. P-Asserted-Identity
    # with a verstat parameter); `receptionist up` has the trunk copy it into the caller's
    # attributes. Needed with TRUST_CALLER_ID=attested and SIP_ENABLED.
    sip_attestation_header: str = Field(default="", pattern=r"^[A-Za-z0-9!%*_+`'~.-]*$")

    # Failed attempts to show a booking is theirs (a wrong name or code, or a lookup that only
    # found that a booking exists), counted per booking across calls: this many within the
    # window stop self-service for the booking's number, and callers are offered a callback.
    failed_proofs_limit: int = Field(default=5, ge=1, le=1000)
    failed_proofs_window_hours: float = Field(default=24.0, gt=0, le=24 * 90)

    # Limits of one call (agent/call/limits.py), so that nobody can hold a line or the
    # restaurant's book: a browser or app caller silent this long is told goodbye, as a phone
    # caller is after PHONE_SILENCE_SECONDS; every call ends after the longest length; and one
    # call books and leaves messages for staff only so often.
    web_silence_seconds: float = Field(default=30.0, gt=0, le=600)
    max_call_seconds: float = Field(default=1200.0, gt=0, le=86_400)
    max_bookings_per_call: int = Field(default=3, ge=1, le=50)
    max_callbacks_per_call: int = Field(default=2, ge=1, le=50)

    # Recording calls' audio (both voices), off unless asked for; on, the greeting says so and
    # each call's recording is kept until restaurant.toml's transcript_days (docs/privacy.md):
    # in recordings_bucket (s3://bucket/optional/prefix) when set, else in recordings_dir
    # (DATA_DIR/recordings when unset). A bucket at another provider than AWS is reached at
    # recordings_s3_endpoint; boto3 reads the credentials from AWS's own variables and files.
    record_calls: bool = False
    recordings_dir: Path | None = None
    recordings_bucket: str | None = None
    recordings_s3_endpoint: HttpUrl | None = None
    recordings_s3_region: str | None = Field(default=None, pattern=r"^[a-z0-9-]{2,32}$")
    recordings_s3_encryption: Literal["AES256", "aws:kms"] | None = None

    @property
    def recordings_folder(self) -> Path:
        return self.recordings_dir or self.data_dir / "recordings"

    @property
    def livekit_api_url(self) -> str:
        """livekit_url for LiveKit's server API, which speaks HTTP."""
        return self.livekit_url.replace("ws://", "http://", 1).replace("wss://", "https://", 1)

    @field_validator(
        "staff_webhook_url",
        "staff_webhook_secret",
        "recordings_dir",
        "recordings_bucket",
        "recordings_s3_endpoint",
        "recordings_s3_region",
        "recordings_s3_encryption",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        # `STAFF_WEBHOOK_URL=` in a .env file means "none", as for the other optional settings.
        return None if value == "" else value

    @field_validator("staff_webhook_url")
    @classmethod
    def _https_beyond_loopback(cls, url: HttpUrl | None) -> HttpUrl | None:
        if url is not None and url.scheme != "https" and not is_loopback(url.host or ""):
            raise ValueError(
                "use an https:// URL: notices carry callers' names and numbers, and plain "
                "http is only for a receiver on this machine (127.0.0.1, ::1, localhost)"
            )
        return url

    @field_validator("recordings_bucket")
    @classmethod
    def _a_bucket_url(cls, url: str | None) -> str | None:
        if url is not None and not BUCKET_URL.fullmatch(url):
            raise ValueError(
                f"{url!r} is not a bucket: write s3://bucket-name or s3://bucket-name/prefix "
                "(a bucket name of 3-63 lowercase letters, digits, dots and hyphens; a prefix "
                "of letters, digits and -_./ without empty or '..' parts)"
            )
        return url

    @field_validator("recordings_s3_endpoint")
    @classmethod
    def _endpoint_https_beyond_loopback(cls, url: HttpUrl | None) -> HttpUrl | None:
        if url is not None and url.scheme != "https" and not is_loopback(url.host or ""):
            raise ValueError(
                "use an https:// URL: recordings hold callers' voices, and plain http is only "
                "for a store on this machine (127.0.0.1, ::1, localhost)"
            )
        if url is not None and ((url.path or "/") != "/" or url.query):
            raise ValueError("give the store's address alone (scheme://host[:port]), no path")
        return url

    @field_validator("staff_webhook_secret")
    @classmethod
    def _a_signing_secret(cls, secret: SecretStr | None) -> SecretStr | None:
        if secret is not None:
            secret_key(secret.get_secret_value())  # says what is wrong with it
        return secret

    @property
    def staff_webhook_key(self) -> bytes | None:
        """The key STAFF_WEBHOOK_SECRET stands for, or None: notices go unsigned."""
        if self.staff_webhook_secret is None:
            return None
        return secret_key(self.staff_webhook_secret.get_secret_value())

    @field_validator("staff_webhook_events", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("token_cors_origins", mode="before")
    @classmethod
    def _origins(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        origins = []
        for part in (p.strip().rstrip("/").lower() for p in value.split(",")):
            if part == "*":
                # Any web site could then start calls on the restaurant's account from its
                # visitors' browsers.
                raise ValueError("'*' is not allowed: list each origin that may call")
            if part and not ORIGIN.fullmatch(part):
                raise ValueError(
                    f"{part!r} is not an origin: write scheme://host[:port], e.g. "
                    "https://app.example.com"
                )
            if part:
                origins.append(part)
        return tuple(origins)

    @model_validator(mode="after")
    def _turns_consistent(self) -> Settings:
        delays = [
            self.turn_quick_seconds,
            self.turn_default_seconds,
            self.turn_patient_seconds,
            self.turn_hold_seconds,
        ]
        if delays != sorted(delays):
            raise ValueError(
                "TURN_QUICK_SECONDS <= TURN_DEFAULT_SECONDS <= TURN_PATIENT_SECONDS <= "
                "TURN_HOLD_SECONDS must hold"
            )
        # livekit-agents asks the audio model after 0.2 s of silence and refuses a VAD that
        # ends speech sooner than 0.25 s.
        if self.turn_detector == "audio-eot" and self.vad_min_silence_seconds < 0.25:
            raise ValueError(
                "TURN_DETECTOR=audio-eot needs VAD_MIN_SILENCE_SECONDS of 0.25 or more"
            )
        return self

    @model_validator(mode="after")
    def _metrics_port_apart(self) -> Settings:
        if self.worker_metrics_port and self.worker_metrics_port == self.worker_port:
            raise ValueError("WORKER_METRICS_PORT must differ from WORKER_PORT")
        return self

    @model_validator(mode="after")
    def _local_speech_in_pipeline(self) -> Settings:
        local = [
            name
            for name, provider in (
                ("STT_PROVIDER", self.stt_provider),
                ("TTS_PROVIDER", self.tts_provider),
            )
            if provider == "local"
        ]
        if local and self.speech_mode != "pipeline":
            raise ValueError(f"{local[0]}=local needs SPEECH_MODE=pipeline")
        return self

    @model_validator(mode="after")
    def _strong_keys_beyond_loopback(self) -> Settings:
        api_keys = self.api_key.get_secret_value().split(",") if self.api_key else []
        secret = self.livekit_api_secret.get_secret_value() if self.livekit_api_secret else None
        if problem := exposed_weak_keys(self.api_host, api_keys, self.livekit_url, secret):
            raise ValueError(problem)
        return self

    @model_validator(mode="after")
    def _attestation_has_a_header(self) -> Settings:
        attested = self.trust_caller_id == "attested"
        if attested and self.sip_enabled and not self.sip_attestation_header:
            raise ValueError(
                "TRUST_CALLER_ID=attested needs SIP_ATTESTATION_HEADER: the SIP header in which "
                "your carrier passes its caller ID verification on"
            )
        return self

    @model_validator(mode="after")
    def _recordings_in_one_place(self) -> Settings:
        if self.recordings_bucket is not None and self.recordings_dir is not None:
            raise ValueError(
                "set RECORDINGS_BUCKET or RECORDINGS_DIR, not both: recordings are kept in one "
                "place, which the API and the purge read too"
            )
        s3_only = {
            "RECORDINGS_S3_ENDPOINT": self.recordings_s3_endpoint,
            "RECORDINGS_S3_REGION": self.recordings_s3_region,
            "RECORDINGS_S3_ENCRYPTION": self.recordings_s3_encryption,
        }
        stray = [name for name, value in s3_only.items() if value is not None]
        if stray and self.recordings_bucket is None:
            raise ValueError(f"{stray[0]} is set, but RECORDINGS_BUCKET names no bucket")
        return self

    @model_validator(mode="after")
    def _backoff_grows(self) -> Settings:
        if self.staff_webhook_retry_max_seconds < self.staff_webhook_retry_seconds:
            raise ValueError(
                "STAFF_WEBHOOK_RETRY_MAX_SECONDS must be at least STAFF_WEBHOOK_RETRY_SECONDS"
            )
        return self


@lru_cache
def get_settings() -> Settings:
    """The process's settings, read once; a bad value is named by its variable."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(_problem(error) for error in exc.errors(include_url=False))
        raise StartupError(f"Fix these settings: {problems}.") from None


def _problem(error: ErrorDetails) -> str:
    # The variable's name, not a list index ("STAFF_WEBHOOK_EVENTS.0"); a rule about several
    # settings names them in its own message.
    where = ".".join(str(part) for part in error["loc"] if isinstance(part, str)).upper()
    message = error["msg"].removeprefix("Value error, ")
    return f"{where}: {message}" if where else message
