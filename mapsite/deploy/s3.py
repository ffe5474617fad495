"""Deploying to an S3-compatible bucket (AWS, Cloudflare R2, Backblaze B2, DigitalOcean Spaces, MinIO).

A PUT replaces an object whole, so every upload is atomic for readers without a temporary
name. Credentials come only from boto3's usual chain (environment, profile, instance role).
When a CloudFront distribution sits in front of the bucket, the paths whose old version it may
still cache (updated and deleted files, and the folder URLs of changed index pages) are
invalidated after the deploy; new files were never cached, so they need none.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
)

from mapsite.deploy.plan import DeployPlan
from mapsite.deploy.settings import TargetSettings
from mapsite.deploy.state import STATE_NAME
from mapsite.deploy.store import SendProgress, StoreTarget, is_listed
from mapsite.deploy.target import DeployContext
from mapsite.errors import MapsiteError
from mapsite.write.manifest import FileEntry

if TYPE_CHECKING:  # the stubs are a test extra; boto3 builds these types at run time
    from mypy_boto3_cloudfront.type_defs import InvalidationBatchTypeDef
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import ObjectIdentifierTypeDef, PutObjectRequestTypeDef

# Retries follow boto3's "standard" mode (AWS_MAX_ATTEMPTS can change their number). Checksums
# are sent only where the API demands them: several S3-compatible stores reject the trailing
# checksums boto3 adds by default, and Content-MD5, which every store checks, guards uploads.
CONFIG = Config(
    connect_timeout=10,
    read_timeout=60,
    retries={"mode": "standard"},
    request_checksum_calculation="when_required",
    response_checksum_validation="when_required",
)
CREDENTIALS_HINT = "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or name an AWS profile with profile:"
AUTH_CODES = (
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "InvalidToken",
    "TokenRefreshRequired",
)
DENIED_CODES = ("AccessDenied", "AllAccessDisabled", "Forbidden", "403")
PERMISSIONS = {
    "S3": "s3:ListBucket, s3:GetObject, s3:PutObject and s3:DeleteObject",
    "CloudFront": "cloudfront:CreateInvalidation",
}
UNREACHABLE = (EndpointConnectionError, ConnectTimeoutError, ReadTimeoutError, ConnectionClosedError)
DELETE_BATCH = 1000
# CloudFront refuses more paths than this in progress at once; a wildcard counts as one.
MAX_INVALIDATION_PATHS = 3000


@contextmanager
def aws_errors(service: str, endpoint: str, resource: str, target: str) -> Iterator[None]:
    """boto3's exceptions as one line for the terminal: never the request, so never a credential."""
    try:
        yield
    except (NoCredentialsError, PartialCredentialsError):
        raise MapsiteError(f"no AWS credentials found for {service}", hint=CREDENTIALS_HINT) from None
    except UNREACHABLE as error:
        raise MapsiteError(
            f"cannot reach {service} at {endpoint} ({type(error).__name__})",
            hint=f"check the network, and endpoint_url and region of deploy target '{target}' in mapsite.yml",
        ) from None
    except ClientError as error:
        details = error.response.get("Error", {})
        code = str(details.get("Code", "unknown"))
        if code in AUTH_CODES:
            raise MapsiteError(
                f"{service} at {endpoint} rejected the AWS credentials ({code})",
                hint=f"check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or the profile: of '{target}')",
            ) from None
        if code in DENIED_CODES:
            raise MapsiteError(
                f"{service} denied these AWS credentials access to {resource} ({code})",
                hint=f"grant them {PERMISSIONS[service]}, or use other credentials",
            ) from None
        message = one_line(str(details.get("Message") or "no message"))
        raise MapsiteError(f"{service} refused a request for {resource}: {code}: {message}") from None
    except BotoCoreError as error:
        raise MapsiteError(f"{service} request for {resource} failed: {one_line(str(error))}") from None


def one_line(text: str) -> str:
    return " ".join(text.split())


def _session(profile: str | None) -> boto3.session.Session:
    try:
        return boto3.session.Session(profile_name=profile)
    except ProfileNotFound:
        raise MapsiteError(
            f"there is no AWS profile '{profile}'",
            hint="add it to ~/.aws/config (aws configure --profile NAME), or fix profile: in mapsite.yml",
        ) from None


@dataclass
class S3Store:
    client: S3Client
    bucket: str
    prefix: str
    target: str

    @property
    def location(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    @property
    def endpoint(self) -> str:
        return str(self.client.meta.endpoint_url)

    def list_files(self) -> dict[str, int]:
        files = {}
        with self._errors():
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=self.prefix
            )
            for page in pages:
                for item in page.get("Contents", []):
                    path = item["Key"][len(self.prefix) :]
                    # A key ending in "/" is a console's folder marker, not a file of the site.
                    if path and not path.endswith("/") and path != STATE_NAME and is_listed(path):
                        files[path] = int(item["Size"])
        return files

    def read(self, path: str) -> bytes | None:
        with self._errors():
            try:
                response = self.client.get_object(Bucket=self.bucket, Key=self.prefix + path)
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") == "NoSuchKey":
                    return None
                raise
            return response["Body"].read()

    def write(self, path: str, data: bytes) -> None:
        with self._errors():
            self.client.put_object(
                Bucket=self.bucket,
                Key=self.prefix + path,
                Body=data,
                ContentType="application/octet-stream",
                CacheControl="no-store",
                ContentMD5=_md5(data),
            )

    def put(self, entry: FileEntry, source: Path) -> None:
        data = source.read_bytes()
        request: PutObjectRequestTypeDef = {
            "Bucket": self.bucket,
            "Key": self.prefix + entry.path,
            "Body": data,
            "ContentType": entry.content_type,
            "ContentMD5": _md5(data),
        }
        if entry.cache_control:
            request["CacheControl"] = entry.cache_control
        with self._errors():
            self.client.put_object(**request)

    def delete(self, paths: list[str]) -> None:
        for start in range(0, len(paths), DELETE_BATCH):
            keys: list[ObjectIdentifierTypeDef] = [
                {"Key": self.prefix + path} for path in paths[start : start + DELETE_BATCH]
            ]
            with self._errors():
                response = self.client.delete_objects(
                    Bucket=self.bucket, Delete={"Objects": keys, "Quiet": True}
                )
            errors = response.get("Errors") or []
            if errors:
                first = errors[0]
                reason = one_line(f"{first.get('Code')}: {first.get('Message') or 'no message'}")
                raise MapsiteError(
                    f"S3 could not delete {len(errors)} object(s) of {self.location}, "
                    f"e.g. {first.get('Key')} ({reason})",
                    hint="the credentials need s3:DeleteObject there; deploy again to finish",
                )

    def close(self) -> None:
        self.client.close()

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Adds the bucket's own failures to ``aws_errors``, which knows nothing of buckets."""
        with aws_errors("S3", self.endpoint, self.location, self.target):
            try:
                yield
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") == "NoSuchBucket":
                    raise MapsiteError(
                        f"the bucket '{self.bucket}' does not exist at {self.endpoint}",
                        hint=f"create it, or fix bucket, endpoint_url and region of deploy target "
                        f"'{self.target}' in mapsite.yml",
                    ) from None
                raise


def _md5(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode("ascii")


def invalidation_paths(changed: list[str], prefix: str) -> list[str]:
    """The URLs a CDN may cache for ``changed``: each file, and the folder URL of an index page."""
    urls = set()
    for path in changed:
        urls.add("/" + prefix + path)
        if path == "index.html" or path.endswith("/index.html"):
            urls.add("/" + prefix + path[: -len("index.html")])
    if len(urls) > MAX_INVALIDATION_PATHS:
        return ["/" + prefix + "*"]
    return sorted(quote(url, safe="/") for url in urls)


@dataclass
class S3Target:
    """The bucket's files, then the CloudFront invalidation of what readers may have cached."""

    files: StoreTarget
    session: boto3.session.Session
    prefix: str
    target: str
    distribution: str | None = None

    @property
    def location(self) -> str:
        return self.files.location

    def plan(self, local: dict[str, FileEntry]) -> DeployPlan:
        return self.files.plan(local)

    def publish(
        self, plan: DeployPlan, local: dict[str, FileEntry], out: Path, progress: SendProgress
    ) -> None:
        self.files.publish(plan, local, out, progress)
        paths = invalidation_paths(plan.changed_paths, self.prefix)
        if self.distribution and paths:
            self._invalidate(self.distribution, paths)

    def close(self) -> None:
        self.files.close()

    def _invalidate(self, distribution: str, paths: list[str]) -> None:
        batch: InvalidationBatchTypeDef = {
            "Paths": {"Quantity": len(paths), "Items": paths},
            "CallerReference": f"mapsite-{uuid.uuid4()}",
        }
        with self._cloudfront_errors(distribution):
            # CloudFront is an AWS service even when the bucket is not, so it never gets the bucket's
            # endpoint_url (AWS_ENDPOINT_URL_CLOUDFRONT still redirects it, e.g. to a test server).
            client = self.session.client("cloudfront", config=CONFIG)
            try:
                client.create_invalidation(DistributionId=distribution, InvalidationBatch=batch)
            finally:
                client.close()

    @contextmanager
    def _cloudfront_errors(self, distribution: str) -> Iterator[None]:
        """The files are live by now, so every failure says so and how to finish by hand."""
        try:
            with aws_errors("CloudFront", "AWS", f"distribution {distribution}", self.target):
                try:
                    yield
                except ClientError as error:
                    if error.response.get("Error", {}).get("Code") == "NoSuchDistribution":
                        raise MapsiteError(
                            f"there is no CloudFront distribution '{distribution}'",
                            hint=f"fix cloudfront_distribution of target '{self.target}' in mapsite.yml",
                        ) from None
                    raise
        except MapsiteError as error:
            first = f"{error.hint}; then" if error.hint else "then"
            raise MapsiteError(
                f"the files are deployed, but invalidating their CloudFront cache failed: {error.message}",
                hint=f"{first} invalidate by hand: aws cloudfront create-invalidation "
                f"--distribution-id {distribution} --paths '/{self.prefix}*'",
            ) from None


def open_target(settings: TargetSettings, context: DeployContext) -> S3Target:
    options = settings.options
    session = _session(options["profile"])
    with aws_errors("S3", options["endpoint_url"] or "AWS", f"bucket {options['bucket']}", settings.name):
        client = session.client(
            "s3", endpoint_url=options["endpoint_url"], region_name=options["region"], config=CONFIG
        )
    store = S3Store(client, options["bucket"], options["prefix"], settings.name)
    return S3Target(
        StoreTarget(store, context.site_secret),
        session,
        options["prefix"],
        settings.name,
        options["cloudfront_distribution"],
    )
