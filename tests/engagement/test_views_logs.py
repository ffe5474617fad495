"""``mapsite views`` over log samples written to each format's published description (docs/views.md):
nginx/Apache combined, Amazon S3 server access logs and CloudFront standard logs, plain and
gzipped, many files at once; run as a real process, as a rep would.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import shutil
import subprocess
import sys

import pytest

from mapsite.protect.views import view_name, views_key
from tests.helpers import REPO

SECRET = bytes(range(32))
SHARE = "Zq3vJk9Lm2Np4Rs6Tu8VwA"  # a share link's secret: its id is the first 8 characters


@pytest.fixture
def site(tmp_path):
    site = tmp_path / "example"
    site.mkdir()
    text = (REPO / "mapsite.yml").read_text("utf-8")
    (site / "mapsite.yml").write_text(text + "\nanalytics: access_log\n", "utf-8")
    shutil.copytree(REPO / "content", site / "content")
    shutil.copytree(REPO / "assets", site / "assets")
    shares = {"shares": [{"deal": "acme", "label": "Dana's link", "secret": SHARE, "created": "2027-02-01"}]}
    (site / ".mapsite").mkdir()
    (site / ".mapsite" / "shares.json").write_text(json.dumps(shares), "utf-8")
    return site


def name(credential: str, page: str = "acme/index.html") -> str:
    return view_name(views_key(SECRET), "acme", credential, page)


def run_views(site, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "MAPSITE_SECRET": base64.urlsafe_b64encode(SECRET).rstrip(b"=").decode(),
        "COLUMNS": "80",
    }
    command = [sys.executable, "-m", "mapsite", "views", "--site", str(site), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)


def combined(time: str, path: str, status: int = 200) -> str:
    # nginx's and Apache's "combined": host ident user [time] "request" status bytes "referer" "agent"
    return (
        f'203.0.113.9 - - [{time}] "GET {path} HTTP/2.0" {status} 43 "-" "Mozilla/5.0 (X11; Linux x86_64)"\n'
    )


def s3(time: str, path: str) -> str:
    # Amazon S3 server access log: owner bucket [time] ip requester request-id operation key
    # "request" status error bytes size total turn-around "referer" "agent" version host-id ...
    key = path.lstrip("/")
    return (
        f"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be deals-bucket [{time}] "
        f'192.0.2.3 - 3E57427F3EXAMPLE REST.GET.OBJECT {key} "GET /{key} HTTP/1.1" 200 - 43 43 7 6 '
        '"-" "Mozilla/5.0" - s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= '
        "SigV4 ECDHE-RSA-AES128-GCM-SHA256 - deals-bucket.s3-website.eu-west-1.amazonaws.com TLSv1.2 - -\n"
    )


CLOUDFRONT_FIELDS = (
    "date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) "
    "cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header "
    "cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher "
    "x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port "
    "time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start "
    "sc-range-end"
)


def cloudfront(date: str, time: str, path: str) -> str:
    values = [
        date,
        time,
        "IAD89-C3",
        "335",
        "198.51.100.7",
        "GET",
        "d111111abcdef8.cloudfront.net",
        path,
        "200",
    ]
    values += [
        "-",
        "Mozilla/5.0%20(Macintosh)",
        "-",
        "-",
        "Miss",
        "2kP01Cgw2cMXMKlogaJwkCt7MVHA8Flxtt==",
        "deals.example",
    ]
    values += [
        "https",
        "123",
        "0.001",
        "-",
        "TLSv1.3",
        "TLS_AES_128_GCM_SHA256",
        "Miss",
        "HTTP/2.0",
        "-",
        "-",
    ]
    values += ["61052", "0.001", "Miss", "image/gif", "43", "-", "-"]
    return "\t".join(values) + "\n"


def test_views_reads_every_format_plain_and_gzipped(site, tmp_path):
    team, link = name("entry:Acme buying team"), name(f"link:{SHARE[:8]}")
    security = name("entry:Acme buying team", "acme/security/index.html")
    nginx = tmp_path / "access.log"
    nginx.write_text(
        combined("22/Feb/2027:10:00:00 +0000", f"/acme/_v/{team}.gif")
        + combined("22/Feb/2027:10:10:00 +0000", f"/acme/_v/{security}.gif")
        + combined("22/Feb/2027:10:10:05 +0000", "/acme/index.html")  # a page, not a view
        + combined("22/Feb/2027:11:00:00 +0000", f"/acme/_v/{team}.gif", 404)  # failed: not a view
        + combined("22/Feb/2027:16:00:00 +0100", f"/acme/_v/{team}.gif"),  # 15:00 UTC: a 2nd visit
        "utf-8",
    )
    bucket = tmp_path / "2027-02-23-09-00-00-EXAMPLE.gz"
    bucket.write_bytes(gzip.compress(s3("23/Feb/2027:09:00:00 +0000", f"/acme/_v/{link}.gif").encode()))
    edge = tmp_path / "E2EXAMPLE.2027-02-24-08.abcd1234.gz"
    text = "#Version: 1.0\n#Fields: " + CLOUDFRONT_FIELDS + "\n"
    text += cloudfront("2027-02-24", "08:30:00", f"/acme/_v/{team}.gif")
    text += cloudfront("2027-02-24", "08:31:00", f"/acme/_v/{'0' * 24}.gif")  # nobody's name
    edge.write_bytes(gzip.compress(text.encode()))

    result = run_views(site, str(nginx), str(bucket), str(edge), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    acme = next(deal for deal in report["deals"] if deal["slug"] == "acme")
    readers = {reader["label"]: reader for reader in acme["readers"]}
    team_reader = readers["Acme buying team"]
    assert team_reader["first_open"] == "2027-02-22T10:00:00Z"
    assert team_reader["last_open"] == "2027-02-24T08:30:00Z"
    assert team_reader["opens"] == 4
    assert team_reader["visits"] == 3  # 10:00 and 10:10 are one visit; 15:00 and the 24th two more
    assert team_reader["pages"] == ["acme/index.html", "acme/security/index.html"]
    assert readers["Dana's link"]["kind"] == "link"
    assert readers["Dana's link"]["first_open"] == "2027-02-23T09:00:00Z"
    assert readers["Northwind deal team"]["opens"] == 0
    assert acme["last_open"] == "2027-02-24T08:30:00Z"
    assert report["unmatched"] == 1

    text = run_views(site, str(nginx), str(bucket), str(edge))
    assert text.returncode == 0, text.stderr
    assert (
        "  Acme buying team (password): 3 visits\n"
        "    2027-02-22 10:00 to 2027-02-24 08:30 UTC\n"
        "    opened: the plan, Security review pack\n"
    ) in text.stdout
    assert "  Dana's link (share link): 1 visit\n    2027-02-23 09:00 to 2027-02-23 09:00 UTC" in text.stdout
    assert "  Northwind deal team (password): not opened in these logs" in text.stdout
    assert "1 view matched no deal" in text.stdout
    assert all(len(line) <= 80 for line in text.stdout.splitlines())


def test_a_file_that_is_no_log_is_named(site, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("call Dana on Monday\n", "utf-8")
    result = run_views(site, str(notes))
    assert result.returncode == 0
    assert "notes.txt holds no line of an access log mapsite reads" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
