"""A throwaway S3-compatible server on loopback: SeaweedFS (`weed server -s3`, built by
scripts/setup-s3), one master, volume, filer and S3 gateway in one process, data under the
test's folder, and one identity whose keys are in a 0600 file, never on its command line."""

from __future__ import annotations

import json
import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from testkit.stack import Process, free_port, wait_for

BUCKET = "receptionist-recordings"


@dataclass(frozen=True)
class S3Server:
    process: Process
    endpoint: str
    access_key: str
    secret_key: str

    def env(self) -> dict[str, str]:
        """What a process needs to reach the server as its identity through boto3, and nothing
        it could find elsewhere (this user's ~/.aws, an instance's metadata service)."""
        return {
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
        }

    def client(self) -> Any:
        """A boto3 S3 client of this server, for a test to look inside the bucket."""
        return boto3.session.Session(
            aws_access_key_id=self.access_key, aws_secret_access_key=self.secret_key
        ).client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
        )

    def stop(self) -> None:
        self.process.stop()


def find_weed() -> str:
    """weed's path; scripts/setup-s3 installs it (tests fail, never skip, without)."""
    found = shutil.which("weed")
    if found is None:
        raise RuntimeError("SeaweedFS's weed is not installed: run scripts/setup-s3")
    return found


def start_s3(workdir: Path, env: dict[str, str], bucket: str = BUCKET) -> S3Server:
    """A running server with `bucket` made; stop it when done."""
    workdir.mkdir(parents=True, exist_ok=True)
    access_key, secret_key = secrets.token_hex(10), secrets.token_hex(20)
    identities = workdir / "s3-identities.json"
    identities.touch(mode=0o600)
    identities.write_text(
        json.dumps(
            {
                "identities": [
                    {
                        "name": "receptionist-tests",
                        "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
                        "actions": ["Admin", "Read", "List", "Tagging", "Write"],
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    s3_port = free_port()
    ports = {
        name: str(free_port())
        for name in (
            "master.port",
            "master.port.grpc",
            "volume.port",
            "volume.port.grpc",
            "filer.port",
            "filer.port.grpc",
            "s3.port.grpc",
        )
    }
    data = workdir / "s3-data"
    data.mkdir(exist_ok=True)
    argv = [
        find_weed(),
        "server",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-dir={data}",
        "-filer",
        "-s3",
        f"-s3.port={s3_port}",
        f"-s3.config={identities}",
        # Its Iceberg and Lance catalogues, which would take fixed ports, are not wanted.
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        # No statistics sent to seaweedfs.com, and small volumes on a test machine's disk.
        "-master.telemetry=false",
        "-master.volumeSizeLimitMB=64",
        "-volume.max=4",
        *(f"-{name}={port}" for name, port in ports.items()),
    ]
    process = Process("seaweedfs", argv, env, workdir / f"seaweedfs-{s3_port}.log")
    server = S3Server(process, f"http://127.0.0.1:{s3_port}", access_key, secret_key)
    process.start()
    try:
        # Ready when the bucket can be made: the gateway answers and its filer and volume
        # server have joined the master.
        wait_for(lambda: _made(server, bucket), "SeaweedFS's S3 gateway", timeout=90)
    except BaseException:
        process.stop()
        raise
    return server


def _made(server: S3Server, bucket: str) -> bool:
    if not server.process.alive():
        raise RuntimeError(f"SeaweedFS exited; see {server.process.log}")
    client = server.client()
    try:
        try:
            client.create_bucket(Bucket=bucket)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "BucketAlreadyOwnedByYou":
                raise
        # A write too: the gateway may list buckets before a volume server can take data.
        client.put_object(Bucket=bucket, Key="ready", Body=b"")
        client.delete_object(Bucket=bucket, Key="ready")
    except (BotoCoreError, ClientError):
        return False
    return True
