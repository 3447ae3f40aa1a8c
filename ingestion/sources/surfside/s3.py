"""Finding and downloading a client's daily Surfside file in S3 (boto3).

Retries with backoff and timeouts come from botocore's standard retry mode. Every failure becomes
``DeliveryError`` with a message an admin can act on; nothing here writes to a path built from a
key (files are read into memory, at most ``MAX_UPLOAD_BYTES``).
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionError,
    ReadTimeoutError,
)
from django.conf import settings

from ingestion.sources.surfside.models import SurfsideConnection

_CONFIG = Config(
    retries={"max_attempts": 5, "mode": "standard"},
    connect_timeout=10,
    read_timeout=60,
)


class DeliveryError(Exception):
    """The delivery could not be read. ``str(error)`` is shown to people as is."""


@dataclass(frozen=True)
class Delivery:
    bucket: str
    key: str
    size: int
    last_modified: dt.datetime

    @property
    def file_name(self) -> str:
        return self.key.rsplit("/", 1)[-1]


def s3_client() -> Any:
    return boto3.client(
        "s3",
        endpoint_url=settings.AWS_S3_ENDPOINT_URL,
        region_name=settings.AWS_S3_REGION_NAME,
        config=_CONFIG,
    )


def expected_key(connection: SurfsideConnection, day: dt.date) -> str:
    """The key pattern for ``day``: ``{date}`` (ISO) or ``{date:<strftime>}`` filled in."""
    try:
        name = connection.file_pattern.format(date=day)
    except (KeyError, IndexError, ValueError) as error:
        raise DeliveryError(
            f"The file pattern '{connection.file_pattern}' is not valid ({error}). Use {{date}} "
            "or {date:%Y%m%d} for the date and * for anything else."
        ) from None
    return f"{connection.prefix}{name}"


def _explain(error: ClientError, connection: SurfsideConnection, what: str) -> DeliveryError:
    code = error.response.get("Error", {}).get("Code", "")
    location = f"s3://{connection.bucket}/{connection.prefix}"
    if code in ("NoSuchBucket",):
        return DeliveryError(
            f"The bucket '{connection.bucket}' does not exist. Check the client's "
            "Surfside connection."
        )
    if code in (
        "AccessDenied",
        "403",
        "AllAccessDisabled",
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
    ):
        return DeliveryError(
            f"Access to {location} was denied while {what}. Check the AWS "
            "credentials and the bucket policy."
        )
    if code in ("NoSuchKey", "404"):
        return DeliveryError(f"The file disappeared from {location} while {what}; re-run later.")
    return DeliveryError(f"S3 refused {what} at {location} ({code or 'error'}). Re-run later.")


def find_delivery(connection: SurfsideConnection, day: dt.date) -> Delivery | None:
    """The newest object matching the day's pattern, or None when nothing was delivered."""
    pattern = expected_key(connection, day)
    literal_prefix = re.split(r"[*?\[]", pattern, maxsplit=1)[0]
    client = s3_client()
    matches: list[Delivery] = []
    try:
        paginator = client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=connection.bucket, Prefix=literal_prefix):
            for item in page.get("Contents", []):
                if fnmatch.fnmatchcase(item["Key"], pattern):
                    matches.append(
                        Delivery(connection.bucket, item["Key"], item["Size"], item["LastModified"])
                    )
    except ClientError as error:
        raise _explain(error, connection, "listing the deliveries") from None
    except (BotoCoreError, ConnectionError, ReadTimeoutError) as error:
        raise DeliveryError(
            f"S3 could not be reached while listing deliveries ({error}). Re-run later."
        ) from None
    if not matches:
        return None
    return max(matches, key=lambda delivery: (delivery.last_modified, delivery.key))


def download(connection: SurfsideConnection, delivery: Delivery) -> bytes:
    """The object's bytes, refusing empty, oversized and truncated objects."""
    if delivery.size == 0:
        raise DeliveryError(f"{delivery.key} is empty (0 bytes). Ask Surfside to deliver it again.")
    if delivery.size > settings.MAX_UPLOAD_BYTES:
        raise DeliveryError(
            f"{delivery.key} is {delivery.size / 1e6:.0f} MB, above the "
            f"{settings.MAX_UPLOAD_BYTES / 1e6:.0f} MB limit; it was not downloaded."
        )
    try:
        response = s3_client().get_object(Bucket=delivery.bucket, Key=delivery.key)
        body = response["Body"].read()
    except ClientError as error:
        raise _explain(error, connection, f"downloading {delivery.key}") from None
    except (BotoCoreError, ConnectionError, ReadTimeoutError) as error:
        raise DeliveryError(
            f"The download of {delivery.key} failed ({error}). Re-run later."
        ) from None
    expected = response.get("ContentLength", delivery.size)
    if len(body) != expected:
        raise DeliveryError(
            f"{delivery.key} arrived truncated ({len(body):,} of {expected:,} bytes). Re-run later."
        )
    if not body:
        raise DeliveryError(f"{delivery.key} is empty (0 bytes). Ask Surfside to deliver it again.")
    return bytes(body)
