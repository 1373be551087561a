"""A local user reading the stack's secrets: `receptionist up` with telephony starts the real
Redis, livekit-server, livekit-sip, API and worker, and no secret is on any of their command lines
(/proc/<pid>/cmdline, which every user can read), nor in what `up` prints but the staff key the
once it is generated; what holds them on disk is the owner's alone."""

from __future__ import annotations

import base64
import secrets
import socket
import stat
from pathlib import Path
from urllib.parse import quote

from testkit.stack import LiveKitServer, free_port
from tests.support.run_command import process_tree, receptionist_up, telephony_settings, up_env
from tests.support.stacks import PHONE_CALLS


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def redis_answer(port: int, command: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as redis:
        redis.sendall(command)
        return redis.recv(200)


def test_no_secret_is_on_a_command_line_and_the_key_files_are_private(
    livekit_binary: str, telephony_programs: dict[str, str], migrated_url: str, tmp_path: Path
) -> None:
    livekit = LiveKitServer(livekit_binary, tmp_path, target_load=100.0)  # `up` starts its own
    telephony, sip_port = telephony_settings(tmp_path)
    redis_port = free_port()
    # A password a redis.conf line must quote, and a URL must escape.
    redis_password = secrets.token_urlsafe(18) + '@ #"'
    given = {
        "SIP_AUTH_PASSWORD": secrets.token_urlsafe(24),
        "STAFF_WEBHOOK_SECRET": "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode(),
        "OPENAI_API_KEY": "sk-" + secrets.token_urlsafe(24),
    }
    env = up_env(
        livekit,
        migrated_url,
        tmp_path,
        models=PHONE_CALLS,
        # Unset, so `up` generates the staff key and the LiveKit secret into DATA_DIR.
        API_KEY="",
        LIVEKIT_API_SECRET="",
        REDIS_URL=f"redis://:{quote(redis_password, safe='')}@127.0.0.1:{redis_port}",
        SIP_AUTH_USERNAME="carrier",
        **telephony,
        **given,
    )
    data = Path(env["DATA_DIR"])
    ports = (livekit.port, int(env["API_PORT"]), redis_port, sip_port)
    with receptionist_up(env, tmp_path, ports) as up:
        commands = process_tree(up.process.pid)
        started = " | ".join(commands.values())
        for program in ("redis-server", "livekit-server", "livekit-sip", "uvicorn", "-m agent"):
            assert program in started
        staff_key = (data / "dev-api-key").read_text().strip()
        livekit_secret = (data / "livekit-secret").read_text().strip()
        hidden = {
            **given,
            "LiveKit secret": livekit_secret,
            "Redis password": redis_password,
            "Redis password, URL-escaped": quote(redis_password, safe=""),
        }
        everything = {**hidden, "staff key": staff_key}
        for pid, command in {up.process.pid: "receptionist up", **commands}.items():
            for name, value in everything.items():
                assert value not in command, f"the {name} is on the command line of {pid}"

        # The files they are in instead: the owner's alone, in a folder only the owner opens.
        for key_file in ("dev-api-key", "livekit-secret"):
            assert mode(data / key_file) == 0o600
        given_files = {path.name: mode(path) for path in (data / "stack").iterdir()}
        assert given_files == dict.fromkeys(
            ["redis.conf", "livekit-server.yaml", "livekit-sip.yaml"], 0o600
        )
        assert mode(data / "stack") == 0o700

        # The Redis `up` started asks for REDIS_URL's password, which livekit-server and
        # livekit-sip gave it, or the trunk would not have been provisioned.
        assert redis_answer(redis_port, b"PING\r\n").startswith(b"-NOAUTH")

        # `up` showed the staff key once, as it generated it, and no other secret; neither did
        # the programs whose output it passes through.
        output = up.output()
        assert output.count(staff_key) == 1
        assert f"shown this once, kept in {data / 'dev-api-key'}" in output
        for name, value in hidden.items():
            assert value not in output, f"the {name} was printed"
        up.ctrl_c()
