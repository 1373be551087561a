"""The product's OCI image in the end-to-end tests: built by podman from the local Debian base
(scripts/setup-podman makes it; no image registry is reachable here), and its roles run as
containers on the host's network against the test stack's PostgreSQL and livekit-server.

The worker's stand-in models reach the container the way they reach a worker process: the
product's own SPEECH_MODELS_FACTORY setting names them, and tests/ and testkit/ are mounted
read-only beside the product's code (the image itself holds neither).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from core.settings import PROJECT_ROOT, Settings
from testkit.stack import Process
from tests.support.stacks import Stack

IMAGE = "localhost/receptionist:e2e"
BASE_IMAGE = os.environ.get("RECEPTIONIST_BASE_IMAGE", "localhost/debian-base:bookworm")
# crun fails on this machine's cgroups; runc needs the limits given explicitly.
RUNTIME = ["--runtime", "runc"]
LIMITS = ["--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"]
# Where the container finds what the host mounts for it.
SOCKET_DIR = "/run/postgresql"
RESTAURANT = "/config/restaurant.toml"
# How long each build of the image took in this run, for the run's summary.
BUILD_SECONDS: list[float] = []


def find_podman() -> str | None:
    return shutil.which("podman")


def base_image_exists(podman: str) -> bool:
    return subprocess.run([podman, "image", "exists", BASE_IMAGE], check=False).returncode == 0


def build_image(podman: str, log: Path) -> float:
    """Build the repository's Dockerfile from the local base; returns the seconds it took."""
    started = time.monotonic()
    with log.open("ab") as out:
        subprocess.run(
            [podman, *RUNTIME, "build", "--network", "host", *LIMITS,
             "--build-arg", f"BASE={BASE_IMAGE}", "--build-arg", f"NODE_BASE={BASE_IMAGE}",
             *_this_machines_certificates(),
             "--tag", IMAGE, str(PROJECT_ROOT)],
            stdout=out, stderr=subprocess.STDOUT, check=True, timeout=1800,
        )  # fmt: skip
    return time.monotonic() - started


def _this_machines_certificates() -> list[str]:
    """The build's downloads trust what this machine trusts (its egress may be a TLS proxy)."""
    bundle = Path("/etc/ssl/certs/ca-certificates.crt")
    if not bundle.exists():
        return []
    inside = "/run/build-ca.crt"
    names = ("SSL_CERT_FILE", "NODE_EXTRA_CA_CERTS", "PIP_CERT")
    return [f"--volume={bundle}:{inside}:ro", *[f"--build-arg={n}={inside}" for n in names]]


@dataclass
class Container(Process):
    """`podman run` in the foreground, its output in the log; stopping it removes it."""

    def stop(self) -> None:
        # podman passes the SIGTERM on, and the role stops as it would anywhere; whatever is
        # left after that is removed.
        super().stop()
        subprocess.run(
            [self.argv[0], "rm", "--force", "--time", "5", self.name],
            capture_output=True,
            check=False,
            timeout=60,
        )

    def exec(self, *command: str) -> subprocess.CompletedProcess[str]:
        """A command run inside the running container."""
        return subprocess.run(
            [self.argv[0], "exec", self.name, *command],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )


@dataclass
class ContainerStack(Stack):
    """The test stack with the API and the worker in containers."""

    api: Container
    worker: Container
    worker_health: str
    # The settings both containers were given.
    env: dict[str, str]
    podman: str


def container(podman: str, role: str, env: dict[str, str], workdir: Path) -> Container:
    """The image in `role` with the settings `env` sets beyond this process's environment.

    The settings go in an env file only the owner reads (never `-e NAME=value` on podman's
    command line); a database on a Unix socket and the restaurant file are mounted in.
    """
    # Every product setting `env` holds, even one this process's environment also has (CI sets
    # DATABASE_URL), and whatever else `env` adds; not this machine's PATH, HOME and the rest.
    product = {name.upper() for name in Settings.model_fields}
    settings = {
        name: value
        for name, value in env.items()
        if name in product or os.environ.get(name) != value
    }
    mounts = {PROJECT_ROOT / "tests": "/app/tests", PROJECT_ROOT / "testkit": "/app/testkit"}
    settings["DATABASE_URL"], socket = _through_socket_mount(settings["DATABASE_URL"])
    if socket is not None:
        mounts[socket] = f"{SOCKET_DIR}/{socket.name}"
    mounts[Path(settings["RESTAURANT_CONFIG"])] = RESTAURANT
    settings["RESTAURANT_CONFIG"] = RESTAURANT
    settings["PYTHONPATH"] = "/app"
    name = f"receptionist-e2e-{role}-{os.getpid()}"
    env_file = workdir / f"{name}.env"
    env_file.touch(mode=0o600)
    env_file.write_text("".join(f"{key}={value}\n" for key, value in settings.items()))
    volumes = [f"--volume={host}:{inside}:ro" for host, inside in mounts.items()]
    # A read-only root, as docs/deploy.md says the image runs: it writes only to /tmp.
    argv = [podman, *RUNTIME, "run", "--rm", "--name", name, "--network", "host", *LIMITS,
            "--read-only", "--tmpfs", "/tmp", "--env-file", str(env_file), *volumes, IMAGE,
            role]  # fmt: skip
    return Container(name, argv, dict(os.environ), workdir / f"{role}.log")


def _through_socket_mount(url: str) -> tuple[str, Path | None]:
    """A URL whose server listens on a Unix socket (the embedded PostgreSQL), rewritten to the
    socket mounted at SOCKET_DIR; a TCP URL as it is."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    [host] = query.get("host", [""])
    if not host.startswith("/"):
        return url, None
    socket = Path(host) / f".s.PGSQL.{parts.port or 5432}"
    query["host"] = [SOCKET_DIR]
    return urlunsplit(parts._replace(query=urlencode(query, doseq=True))), socket
