"""Call recordings kept in an S3-compatible bucket (RECORDINGS_BUCKET), as private objects.

boto3 finds the credentials where AWS's tools do (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY,
AWS_PROFILE and ~/.aws, or a role); they are never settings of ours, so never logged with them.
Its calls block, so each runs in a thread. Staff download through the API, never from a
presigned URL, which would let whoever holds the link listen without the staff key.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from core.errors import RecordingsUnavailable
from core.recordings import CHUNK_BYTES, NAME, Recording, new_name
from core.settings import Settings

# delete_objects takes at most this many keys per request.
DELETE_BATCH = 1000
MISSING = {"NoSuchKey", "404", "NotFound"}


@dataclass(slots=True)
class RecordingBucket:
    bucket: str
    # Ends in "/" unless empty.
    prefix: str
    client: Any = field(repr=False)
    # "AES256" or "aws:kms" asks the store to encrypt each object at rest; None: its default.
    encryption: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> RecordingBucket:
        assert settings.recordings_bucket is not None
        where = urlsplit(settings.recordings_bucket)
        prefix = where.path.strip("/")
        endpoint = settings.recordings_s3_endpoint
        config = Config(
            connect_timeout=5,
            read_timeout=30,
            retries={"max_attempts": 3, "mode": "standard"},
            # Another provider's endpoint (SeaweedFS, MinIO, Ceph...) is addressed by path, and
            # checksums are sent only where S3 requires them, as such stores expect.
            s3={"addressing_style": "path" if endpoint else "auto"},
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
        client = boto3.session.Session().client(
            "s3",
            endpoint_url=str(endpoint).rstrip("/") if endpoint else None,
            region_name=settings.recordings_s3_region,
            config=config,
        )
        return cls(
            bucket=where.netloc,
            prefix=f"{prefix}/" if prefix else "",
            client=client,
            encryption=settings.recordings_s3_encryption,
        )

    async def keep(self, source: Path) -> str:
        name = new_name()
        extra = {"ServerSideEncryption": self.encryption} if self.encryption else {}
        with source.open("rb") as body:
            await self._call(
                self.client.put_object,
                Bucket=self.bucket,
                Key=self.prefix + name,
                Body=body,
                ContentType="audio/ogg",
                **extra,
            )
        # Moved, as into a folder: no copy stays behind in the job's session directory.
        source.unlink(missing_ok=True)
        return name

    async def open(self, name: str) -> Recording | None:
        if not NAME.match(name):
            return None
        try:
            found = await self._call(
                self.client.get_object, Bucket=self.bucket, Key=self.prefix + name
            )
        except RecordingsUnavailable as exc:
            if _code(exc.__cause__) in MISSING:
                return None
            raise
        return Recording(int(found["ContentLength"]), _read(found["Body"]))

    async def delete(self, names: Iterable[str]) -> None:
        keys = [{"Key": self.prefix + name} for name in names if NAME.match(name)]
        for start in range(0, len(keys), DELETE_BATCH):
            answer = await self._call(
                self.client.delete_objects,
                Bucket=self.bucket,
                Delete={"Objects": keys[start : start + DELETE_BATCH], "Quiet": True},
            )
            # A key already gone is no error in S3; any listed here was not deleted.
            if failed := answer.get("Errors"):
                code = failed[0].get("Code")
                raise RecordingsUnavailable(f"{len(failed)} recordings not deleted ({code}).")

    async def delete_made_before(self, cutoff: datetime) -> int:
        names = await self._call(self._names_made_before, cutoff=cutoff)
        await self.delete(names)
        return len(names)

    def _names_made_before(self, cutoff: datetime) -> list[str]:
        # Only our own names directly under the prefix: whatever else the bucket holds is
        # not ours to delete.
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix
        )
        return [
            name
            for page in pages
            for item in page.get("Contents", [])
            if NAME.match(name := str(item["Key"]).removeprefix(self.prefix))
            and item["LastModified"] < cutoff
        ]

    async def _call(self, method: Any, **arguments: Any) -> Any:
        try:
            return await asyncio.to_thread(method, **arguments)
        except (BotoCoreError, ClientError) as exc:
            # S3's error code, or the library's error class: never its message, which may
            # name the endpoint, the bucket or a key.
            failure = _code(exc) or type(exc).__name__
            raise RecordingsUnavailable(
                f"The recordings' bucket could not be used ({failure})."
            ) from exc


def _code(error: BaseException | None) -> str:
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code", ""))
    return ""


async def _read(body: Any) -> AsyncIterator[bytes]:
    try:
        while chunk := await asyncio.to_thread(body.read, CHUNK_BYTES):
            yield chunk
    finally:
        body.close()
