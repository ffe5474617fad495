"""The s3 target against moto's standalone server on 127.0.0.1, which speaks S3 and CloudFront.

Every deploy runs ``mapsite deploy`` in a real process with fake credentials; the assertions
read the bucket back with boto3. A tag put on each object after a deploy proves which objects a
later deploy left alone: a PUT replaces an object with one that carries no tag.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from mapsite.deploy.plan import DeployPlan
from mapsite.deploy.s3 import S3Store, S3Target, invalidation_paths
from mapsite.errors import MapsiteError
from mapsite.write.manifest import FileEntry
from tests.deploy.helpers import add_targets, build_site, built_example, published, run_mapsite

MOTO_SERVER = Path(sys.executable).with_name("moto_server")
REGION = "us-east-1"
PREFIX = "deals/"
STATE_KEY = PREFIX + ".mapsite-deploy-state"
SLUGS = ("acme", "bluebird-bakery", "globex")
TAG = {"Key": "deployed", "Value": "before"}
LONG_CACHE = "public, max-age=31536000, immutable"
SHORT_CACHE = "public, max-age=60, must-revalidate"
FILES_CACHE = "public, max-age=3600"
FILES_RULE = f'      - {{match: "*/_files/*", cache_control: "{FILES_CACHE}"}}\n'
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".bin": "application/octet-stream",
    ".txt": "text/plain; charset=utf-8",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    """moto's server on a free loopback port, stopped when the module ends."""
    port = free_port()
    server = subprocess.Popen(
        [str(MOTO_SERVER), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            assert server.poll() is None, "moto_server exited while starting"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "moto_server did not answer within 20 s"
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.kill()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def built_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example site built once: a build takes a second, copying its output a few milliseconds."""
    return built_example(tmp_path_factory.mktemp("s3"), "")


@pytest.fixture
def built_site(built_once: Path, tmp_path: Path) -> Path:
    """A private copy of the built example site (the conftest fixture of this name builds anew)."""
    return shutil.copytree(built_once, tmp_path / "example")


@pytest.fixture(autouse=True)
def fake_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Fake keys for this process and every mapsite it starts; the developer's AWS setup stays unread."""
    for name in [name for name in os.environ if name.startswith("AWS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws" / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws" / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def s3(endpoint: str, fake_aws: None) -> Iterator[Any]:  # noqa: ARG001 - needs the fake AWS up
    client = boto3.client("s3", endpoint_url=endpoint, region_name=REGION)
    yield client
    client.close()


@pytest.fixture
def bucket(s3: Any) -> str:
    name = f"deals-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    return name


def use_bucket(site: Path, endpoint: str, bucket: str, extra: str = "") -> None:
    add_targets(
        site,
        "deploy:\n  cloud:\n    type: s3\n"
        f"    bucket: {bucket}\n    prefix: {PREFIX}\n    region: {REGION}\n    endpoint_url: {endpoint}\n"
        + extra,
    )


def deploy(site: Path, *args: str) -> subprocess.CompletedProcess:
    return run_mapsite("deploy", "--no-build", *args, site=site)


def deployed(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def keys(s3: Any, bucket: str) -> set[str]:
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return {item["Key"] for page in pages for item in page.get("Contents", [])}


def site_keys(files: dict[str, str]) -> set[str]:
    return {PREFIX + path for path in files}


def tag_all(s3: Any, bucket: str) -> None:
    for key in keys(s3, bucket):
        s3.put_object_tagging(Bucket=bucket, Key=key, Tagging={"TagSet": [TAG]})


def rewritten(s3: Any, bucket: str) -> set[str]:
    """Objects written since ``tag_all``."""
    return {
        key for key in keys(s3, bucket) if s3.get_object_tagging(Bucket=bucket, Key=key)["TagSet"] != [TAG]
    }


def plan_lines(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if line.startswith(("upload  ", "update  ", "delete  "))]


def test_deploy_publishes_output_with_types_and_cache_headers(
    built_site: Path, s3: Any, bucket: str, endpoint: str
) -> None:
    use_bucket(built_site, endpoint, bucket, "    headers:\n" + FILES_RULE)
    files = published(built_site / "output")
    dry = deployed(deploy(built_site, "--dry-run"))
    assert sorted(line.split()[1] for line in plan_lines(dry)) == sorted(files)
    assert all(line.startswith("upload  ") for line in plan_lines(dry))
    assert keys(s3, bucket) == set(), "a dry run changed the bucket"

    out = deployed(deploy(built_site))

    assert f"Deployed to s3://{bucket}/{PREFIX}: {len(files)} uploaded, 0 updated, 0 deleted" in out
    assert keys(s3, bucket) == site_keys(files) | {STATE_KEY}
    assert (built_site / "output" / ".mapsite-build.json").is_file()
    assert {Path(path).suffix for path in files} <= set(CONTENT_TYPES)
    assert any("/_files/" in path for path in files) and any(path.startswith("assets/") for path in files)
    for path, digest in files.items():
        obj = s3.get_object(Bucket=bucket, Key=PREFIX + path)
        assert hashlib.sha256(obj["Body"].read()).hexdigest() == digest, path
        assert obj["ContentType"] == CONTENT_TYPES[Path(path).suffix], path
        expected_cache = (
            LONG_CACHE if path.startswith("assets/") else FILES_CACHE if "/_files/" in path else SHORT_CACHE
        )
        assert obj["CacheControl"] == expected_cache, path
    state = s3.get_object(Bucket=bucket, Key=STATE_KEY)["Body"].read()
    assert not any(slug.encode() in state for slug in SLUGS), "the deploy state names a deal"


def test_second_deploy_sends_nothing_and_a_lost_object_alone_is_sent_again(
    built_site: Path, s3: Any, bucket: str, endpoint: str
) -> None:
    use_bucket(built_site, endpoint, bucket)
    files = published(built_site / "output")
    deployed(deploy(built_site))
    tag_all(s3, bucket)
    before = {key: s3.head_object(Bucket=bucket, Key=key) for key in keys(s3, bucket)}

    out = deployed(deploy(built_site))

    assert f"Nothing to deploy: s3://{bucket}/{PREFIX} already serves this build ({len(files)} files" in out
    assert rewritten(s3, bucket) == set()
    for key, head in before.items():
        after = s3.head_object(Bucket=bucket, Key=key)
        assert (after["ETag"], after["LastModified"]) == (head["ETag"], head["LastModified"]), key

    lost = next(path for path in files if path.endswith(".css"))
    s3.delete_object(Bucket=bucket, Key=PREFIX + lost)
    out = deployed(deploy(built_site))

    assert f"1 uploaded, 0 updated, 0 deleted, {len(files) - 1} unchanged" in out
    assert rewritten(s3, bucket) == {PREFIX + lost, STATE_KEY}
    restored = s3.get_object(Bucket=bucket, Key=PREFIX + lost)["Body"].read()
    assert hashlib.sha256(restored).hexdigest() == files[lost]


def test_removed_deals_are_deleted_unless_more_than_max_deletes(
    built_site: Path, s3: Any, bucket: str, endpoint: str
) -> None:
    use_bucket(built_site, endpoint, bucket)
    foreign = {"keep/readme.txt", PREFIX + ".well-known/security.txt"}
    for key in foreign:
        s3.put_object(Bucket=bucket, Key=key, Body=b"not the site's")
    deployed(deploy(built_site))
    tag_all(s3, bucket)
    everything = keys(s3, bucket)
    before = published(built_site / "output")
    shutil.rmtree(built_site / "content" / "deals" / "globex")
    (built_site / "content" / "deals" / "bluebird-bakery.md").unlink()
    build_site(built_site)
    files = published(built_site / "output")
    gone = set(before) - set(files)
    assert {path.split("/")[0] for path in gone} == {"globex", "bluebird-bakery"} and len(gone) > 2

    refused = deploy(built_site, "--max-deletes", "1")

    assert refused.returncode == 1
    assert f"would delete {len(gone)} files" in refused.stderr and "--max-deletes 1" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert keys(s3, bucket) == everything and rewritten(s3, bucket) == set()

    out = deployed(deploy(built_site))

    # The team dashboard no longer lists the two removed deals: the only page that changes.
    assert f"0 uploaded, 1 updated, {len(gone)} deleted, {len(files) - 1} unchanged" in out
    assert keys(s3, bucket) == site_keys(files) | {STATE_KEY} | foreign
    assert not any(
        key.startswith((PREFIX + "globex/", PREFIX + "bluebird-bakery/")) for key in keys(s3, bucket)
    )
    assert rewritten(s3, bucket) == {STATE_KEY, PREFIX + "_team/index.html"}


def test_a_changed_header_rule_reuploads_exactly_the_objects_it_matches(
    built_site: Path, s3: Any, bucket: str, endpoint: str
) -> None:
    use_bucket(built_site, endpoint, bucket, "    headers:\n" + FILES_RULE)
    blobs = sorted(path for path in published(built_site / "output") if "/_files/" in path)
    deployed(deploy(built_site))
    tag_all(s3, bucket)
    site_file = built_site / "mapsite.yml"
    site_file.write_text(site_file.read_text("utf-8").replace(FILES_CACHE, "private, max-age=600"), "utf-8")

    dry = deployed(deploy(built_site, "--dry-run"))

    assert [line.split()[1] for line in plan_lines(dry)] == blobs
    assert all(line.startswith("update  ") and line.endswith("headers changed)") for line in plan_lines(dry))
    assert "Nothing was changed" in dry
    assert rewritten(s3, bucket) == set()
    assert s3.head_object(Bucket=bucket, Key=PREFIX + blobs[0])["CacheControl"] == FILES_CACHE

    out = deployed(deploy(built_site))

    assert f"0 uploaded, {len(blobs)} updated, 0 deleted" in out
    assert rewritten(s3, bucket) == {PREFIX + path for path in blobs} | {STATE_KEY}
    for path in blobs:
        assert s3.head_object(Bucket=bucket, Key=PREFIX + path)["CacheControl"] == "private, max-age=600"


@pytest.mark.parametrize(
    ("case", "expected", "hint"),
    [
        ("missing bucket", "the bucket 'no-such-bucket' does not exist at http://127.0.0.1:", "create it"),
        ("closed port", "cannot reach S3 at http://127.0.0.1:", "endpoint_url"),
        ("no credentials", "no AWS credentials found for S3", "AWS_ACCESS_KEY_ID"),
        ("unknown profile", "there is no AWS profile 'nobody'", "~/.aws/config"),
    ],
)
def test_failures_end_in_one_line_with_a_hint(
    built_site: Path,
    bucket: str,
    endpoint: str,
    monkeypatch: pytest.MonkeyPatch,
    case: str,
    expected: str,
    hint: str,
) -> None:
    extra = ""
    if case == "missing bucket":
        bucket = "no-such-bucket"
    elif case == "closed port":
        endpoint = f"http://127.0.0.1:{free_port()}"
    elif case == "no credentials":
        monkeypatch.delenv("AWS_ACCESS_KEY_ID")
        monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    else:
        extra = "    profile: nobody\n"
    use_bucket(built_site, endpoint, bucket, extra)

    result = deploy(built_site)

    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: "), result.stderr
    message, _, advice = result.stderr.partition(" (hint: ")
    assert expected in message and hint in advice
    assert "Traceback" not in result.stderr and "testing-secret" not in result.stderr + result.stdout


def test_cloudfront_invalidates_exactly_the_changed_paths(
    built_site: Path, bucket: str, endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    cloudfront = boto3.client("cloudfront", endpoint_url=endpoint, region_name=REGION)
    distribution = create_distribution(cloudfront, bucket)
    monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDFRONT", endpoint)
    use_bucket(built_site, endpoint, bucket, f"    cloudfront_distribution: {distribution}\n")
    deployed(deploy(built_site))
    assert cloudfront.list_invalidations(DistributionId=distribution)["InvalidationList"]["Quantity"] == 0
    before = published(built_site / "output")
    acme = built_site / "content" / "deals" / "acme" / "index.md"
    acme.write_text(acme.read_text("utf-8").replace("5 days to 3", "5 days to 2"), "utf-8")
    (built_site / "content" / "deals" / "bluebird-bakery.md").unlink()
    build_site(built_site)
    after = published(built_site / "output")

    deployed(deploy(built_site))

    listing = cloudfront.list_invalidations(DistributionId=distribution)["InvalidationList"]
    assert listing["Quantity"] == 1
    batch = cloudfront.get_invalidation(DistributionId=distribution, Id=listing["Items"][0]["Id"])
    paths = set(batch["Invalidation"]["InvalidationBatch"]["Paths"]["Items"])
    changed = [path for path in before if after.get(path) not in (None, before[path]) or path not in after]
    expected = {f"/{PREFIX}{path}" for path in changed} | {
        f"/{PREFIX}{path.removesuffix('index.html')}" for path in changed if path.endswith("index.html")
    }
    assert paths == expected
    assert {f"/{PREFIX}acme/", f"/{PREFIX}bluebird-bakery/index.html"} <= paths
    cloudfront.close()


def test_a_failed_invalidation_says_the_files_are_live_and_how_to_finish(
    endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDFRONT", endpoint)
    target = S3Target(Published(), boto3.session.Session(), PREFIX, "cloud", "E0NOSUCHDIST")

    with pytest.raises(MapsiteError) as caught:
        target.publish(DeployPlan(deletes=["globex/index.html"]), {}, Path("output"), lambda *_: None)

    assert caught.value.message == (
        "the files are deployed, but invalidating their CloudFront cache failed: "
        "there is no CloudFront distribution 'E0NOSUCHDIST'"
    )
    assert "fix cloudfront_distribution of target 'cloud'" in caught.value.hint
    assert "create-invalidation --distribution-id E0NOSUCHDIST --paths '/deals/*'" in caught.value.hint


class Published:
    """Stands for the bucket's files, already published when CloudFront is asked."""

    def publish(self, *args: object) -> None:
        pass


def create_distribution(cloudfront: Any, bucket: str) -> str:
    origin = {
        "Id": "bucket",
        "DomainName": f"{bucket}.s3.amazonaws.com",
        "S3OriginConfig": {"OriginAccessIdentity": ""},
    }
    behaviour = {
        "TargetOriginId": "bucket",
        "ViewerProtocolPolicy": "redirect-to-https",
        "MinTTL": 0,
        "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
        "TrustedSigners": {"Enabled": False, "Quantity": 0},
    }
    config = {
        "CallerReference": uuid.uuid4().hex,
        "Comment": "deal portals",
        "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [origin]},
        "DefaultCacheBehavior": behaviour,
    }
    return cloudfront.create_distribution(DistributionConfig=config)["Distribution"]["Id"]


def test_invalidation_paths_name_files_and_the_folder_urls_of_index_pages() -> None:
    changed = ["index.html", "acme/index.html", "acme/_files/x.bin", "q3 plan/index.html"]
    assert invalidation_paths(changed, "deals/") == [
        "/deals/",
        "/deals/acme/",
        "/deals/acme/_files/x.bin",
        "/deals/acme/index.html",
        "/deals/index.html",
        "/deals/q3%20plan/",
        "/deals/q3%20plan/index.html",
    ]
    assert invalidation_paths([], "") == []
    assert invalidation_paths([f"d{n}/a.bin" for n in range(3001)], "") == ["/*"]


@pytest.mark.parametrize(
    ("code", "message", "hint"),
    [
        ("InvalidAccessKeyId", "rejected the AWS credentials (InvalidAccessKeyId)", "AWS_ACCESS_KEY_ID"),
        (
            "SignatureDoesNotMatch",
            "rejected the AWS credentials (SignatureDoesNotMatch)",
            "AWS_SECRET_ACCESS_KEY",
        ),
        (
            "AccessDenied",
            "denied these AWS credentials access to s3://b/deals/ (AccessDenied)",
            "s3:ListBucket",
        ),
        ("SlowDown", "S3 refused a request for s3://b/deals/: SlowDown: Please reduce", None),
    ],
)
def test_refusals_of_the_store_become_one_line_errors(code: str, message: str, hint: str | None) -> None:
    store = stubbed_store()
    with Stubber(store.client) as stub:
        stub.add_client_error("list_objects_v2", code, "Please reduce\nyour request rate", 403)
        with pytest.raises(MapsiteError) as caught:
            store.list_files()
    assert message in caught.value.message and "\n" not in caught.value.message
    assert (hint in caught.value.hint) if hint else caught.value.hint is None


def test_objects_the_store_could_not_delete_stop_the_deploy() -> None:
    store = stubbed_store()
    failure = {"Key": "deals/acme/index.html", "Code": "AccessDenied", "Message": "Access Denied"}
    with Stubber(store.client) as stub:
        stub.add_response("delete_objects", {"Deleted": [], "Errors": [failure]})
        with pytest.raises(MapsiteError) as caught:
            store.delete(["acme/index.html"])
    assert "could not delete 1 object(s) of s3://b/deals/, e.g. deals/acme/index.html (AccessDenied" in str(
        caught.value
    )
    assert "deploy again" in caught.value.hint


def stubbed_store() -> S3Store:
    client = boto3.client("s3", region_name=REGION, endpoint_url="http://127.0.0.1:9")
    return S3Store(client, "b", PREFIX, "cloud")


def test_put_skips_an_empty_cache_control(tmp_path: Path) -> None:
    source = tmp_path / "page.html"
    source.write_bytes(b"<p>hi</p>")
    store = stubbed_store()
    entry = FileEntry("page.html", 9, "", "text/html; charset=utf-8", "")
    expected = {
        "Bucket": "b",
        "Key": "deals/page.html",
        "Body": b"<p>hi</p>",
        "ContentType": "text/html; charset=utf-8",
        "ContentMD5": "ND/HsnwblmtiOqSDyIAhDA==",
    }
    with Stubber(store.client) as stub:
        stub.add_response("put_object", {}, expected)
        store.put(entry, source)
