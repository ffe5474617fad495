"""The ``deploy`` section of ``mapsite.yml``: named targets, each checked with its line.

Credentials never belong here: the file is committed, so a key that looks like a password,
token or access key, or a remote, endpoint or destination with a secret written into it, is an
error that points to the place the credential should live instead.

A git target replaces its branch with one commit by default (``history: single``): a branch that
kept every build would keep serving once-published drafts, removed deals and pages sealed for
passwords since revoked. Choosing ``history: keep`` is allowed, with a warning shown by
``mapsite check`` and by every deploy to that target.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mapsite.deploy.credentials import holds_credential, redact, without_credential
from mapsite.errors import Finding
from mapsite.layout import SITE_FILE
from mapsite.read.fields import FieldReader
from mapsite.read.site import Site
from mapsite.read.yaml import YamlMap
from mapsite.write.manifest import HeaderRule

TARGET_TYPES = ("git", "s3", "rsync", "sftp", "folder")
TYPE_KEYS: dict[str, tuple[str, ...]] = {
    "git": ("remote", "branch", "cname", "history", "message"),
    "s3": ("bucket", "prefix", "region", "endpoint_url", "profile", "cloudfront_distribution", "headers"),
    "rsync": ("destination", "port", "ssh_config"),
    "sftp": ("destination", "port", "ssh_config"),
    "folder": ("path",),
}
CREDENTIAL_KEY = re.compile(
    r"passw|secret|token|access_?key|credential|private_?key|passphrase|api_?key", re.I
)
CREDENTIAL_HINTS = {
    "s3": "use AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY in the environment or an AWS profile (profile: NAME)",
    "git": "let git's credential helper or your SSH agent log in",
    "rsync": "use your SSH agent or a key named in ~/.ssh/config",
    "sftp": "use your SSH agent or a key named in ~/.ssh/config",
    "folder": "a folder needs no credentials",
}
# The settings that name a place to log in to, and how to write each without its secret.
LOCATION_KEYS = {"remote": "git", "endpoint_url": "s3", "destination": "ssh"}
LOCATION_HINTS = {
    "git": "write remote: {clean} and let git's credential helper (e.g. gh auth setup-git, "
    "Git Credential Manager) or an SSH key log in; then change that password or token",
    "s3": "write endpoint_url: {clean} and put the keys in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY "
    "or an AWS profile (profile: NAME); then rotate that key",
    "ssh": "write destination: {clean} and log in with an SSH key (your SSH agent or ~/.ssh/config); "
    "then change that password",
}
KEEP_HISTORY = (
    "history: keep in {where} keeps every earlier build in the branch: once-published drafts, "
    "removed deals and pages sealed for revoked passwords stay public in its history"
)
KEEP_HINT = "use history: single, the default; docs/deploy.md says how to purge the history already pushed"
DESTINATION = re.compile(
    r"^(?:(?P<user>[^@:/\s]+)@)?(?P<host>[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\]):(?P<path>\S.*)$"
)
BRANCH = re.compile(r"^(?!.*\.\.)(?!/)(?!.*//)[A-Za-z0-9._/-]+(?<![/.])$")
HOSTNAME = re.compile(r"^(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")


@dataclass(frozen=True)
class TargetSettings:
    name: str
    type: str
    options: dict[str, Any] = field(default_factory=dict)
    headers: tuple[HeaderRule, ...] = ()
    line: int | None = None
    # Shown by ``mapsite check`` and by each deploy to this target; they never stop either.
    warnings: tuple[Finding, ...] = ()


def deploy_targets(site: Site) -> tuple[dict[str, TargetSettings], list[Finding]]:
    """The site's deploy targets, read from the section ``mapsite.yml`` holds as written, with
    a problem per setting at its line."""
    reader = FieldReader(SITE_FILE)
    targets = _read_targets(reader, site.deploy, site.dir) if site.deploy is not None else {}
    return targets, reader.findings


def _read_targets(reader: FieldReader, deploy: YamlMap, site_dir: Path) -> dict[str, TargetSettings]:
    targets = {}
    for name in deploy:
        where = f"deploy target '{name}'"
        entry = deploy[name]
        line = deploy.line_of(name)
        if not isinstance(entry, YamlMap):
            reader.error(
                line, f"{where} must be a mapping of settings", "start it with type: git|s3|rsync|sftp|folder"
            )
            continue
        kind = reader.choice(entry, "type", where, TARGET_TYPES, None, required=True)
        if kind is None:
            continue
        no_credential_keys = _no_credentials(reader, entry, where, kind)
        if not (_no_secret_locations(reader, entry, where) and no_credential_keys):
            continue
        reader.unknown_keys(entry, ("type", *TYPE_KEYS[kind]), where)
        options = _READERS[kind](reader, entry, where, site_dir)
        if options is not None:
            headers = _header_rules(reader, entry, where) if kind == "s3" else ()
            warnings = _history_warning(reader, entry, where) if kind == "git" else ()
            targets[str(name)] = TargetSettings(str(name), kind, options, headers, line, warnings)
    return targets


def _no_credentials(reader: FieldReader, entry: YamlMap, where: str, kind: str) -> bool:
    clean = True
    for key in entry:
        if CREDENTIAL_KEY.search(str(key)):
            reader.error(
                entry.line_of(key),
                f"'{key}' in {where} looks like a credential; mapsite.yml is shared, so it never holds one",
                f"remove it and {CREDENTIAL_HINTS[kind]}",
            )
            clean = False
    return clean


def _no_secret_locations(reader: FieldReader, entry: YamlMap, where: str) -> bool:
    """A remote, endpoint or destination with a password or token in it; the secret is never echoed."""
    clean = True
    for key, kind in LOCATION_KEYS.items():
        value = entry.get(key)
        if isinstance(value, str) and holds_credential(value):
            suggestion = without_credential(value, keep_account=kind != "s3")
            if kind == "ssh" and "://" in suggestion:
                suggestion = "user@host:/path"
            reader.error(
                entry.line_of(key),
                f"{key} of {where} has a password or token written into it ({redact(value)}); "
                "mapsite.yml is shared, so it never holds one",
                LOCATION_HINTS[kind].format(clean=suggestion),
            )
            clean = False
    return clean


def _history_warning(reader: FieldReader, entry: YamlMap, where: str) -> tuple[Finding, ...]:
    if entry.get("history") != "keep":
        return ()
    line = entry.line_of("history") + reader.line_offset
    return (Finding(reader.path, line, "warning", KEEP_HISTORY.format(where=where), KEEP_HINT),)


def _git(reader: FieldReader, entry: YamlMap, where: str, _site_dir: Path) -> dict[str, Any] | None:
    branch = reader.text(entry, "branch", where) or "gh-pages"
    if not BRANCH.match(branch):
        reader.error(entry.line_of("branch"), f"'{branch}' is not a valid branch name in {where}")
        return None
    cname = reader.text(entry, "cname", where)
    if cname is not None and not HOSTNAME.match(cname):
        reader.error(
            entry.line_of("cname"),
            f"cname '{cname}' in {where} is not a domain name",
            "write the bare host, e.g. cname: deals.example.com",
        )
        return None
    return {
        "remote": reader.text(entry, "remote", where) or "origin",
        "branch": branch,
        "cname": cname,
        "single_commit": reader.choice(entry, "history", where, ("keep", "single"), "single") == "single",
        "message": reader.text(entry, "message", where) or "Deploy deal portals with mapsite",
    }


def _s3(reader: FieldReader, entry: YamlMap, where: str, _site_dir: Path) -> dict[str, Any] | None:
    bucket = reader.text(entry, "bucket", where, required=True)
    if bucket is None:
        return None
    prefix = (reader.text(entry, "prefix", where) or "").strip("/")
    if ".." in prefix.split("/"):
        reader.error(entry.line_of("prefix"), f"prefix '{prefix}' of {where} may not contain '..'")
        return None
    endpoint = reader.text(entry, "endpoint_url", where)
    if endpoint is not None and not re.match(r"^https?://[^\s/]+", endpoint):
        reader.error(
            entry.line_of("endpoint_url"),
            f"endpoint_url '{endpoint}' of {where} is not an http(s) URL",
            "e.g. https://<account>.r2.cloudflarestorage.com",
        )
        return None
    return {
        "bucket": bucket,
        "prefix": f"{prefix}/" if prefix else "",
        "region": reader.text(entry, "region", where),
        "endpoint_url": endpoint,
        "profile": reader.text(entry, "profile", where),
        "cloudfront_distribution": reader.text(entry, "cloudfront_distribution", where),
    }


def _ssh(reader: FieldReader, entry: YamlMap, where: str, site_dir: Path) -> dict[str, Any] | None:
    destination = reader.text(entry, "destination", where, required=True)
    if destination is None:
        return None
    match = DESTINATION.match(destination)
    if not match:
        reader.error(
            entry.line_of("destination"),
            f"destination '{destination}' of {where} is not user@host:/path",
            "e.g. destination: deploy@www.example.com:/var/www/deals",
        )
        return None
    port = entry.get("port")
    if port is not None and (isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536):
        reader.error(entry.line_of("port"), f"port '{port}' of {where} must be a number from 1 to 65535")
        return None
    ssh_config = reader.text(entry, "ssh_config", where)
    config_path = (site_dir / Path(ssh_config).expanduser()) if ssh_config else None
    if config_path is not None and not config_path.is_file():
        reader.error(entry.line_of("ssh_config"), f"ssh_config file '{ssh_config}' of {where} does not exist")
        return None
    return {
        "user": match["user"],
        "host": match["host"].strip("[]"),
        "path": match["path"],
        "port": port,
        "ssh_config": config_path,
    }


def _folder(reader: FieldReader, entry: YamlMap, where: str, site_dir: Path) -> dict[str, Any] | None:
    path_text = reader.text(entry, "path", where, required=True)
    if path_text is None:
        return None
    path = (site_dir / Path(path_text).expanduser()).resolve()
    site = site_dir.resolve()
    if path == site or path in site.parents or site / "output" == path or (site / "output") in path.parents:
        reader.error(
            entry.line_of("path"),
            f"the folder '{path_text}' of {where} would overwrite the site or its output",
            "deploy to a folder outside the site, e.g. path: /var/www/deals",
        )
        return None
    if site in path.parents and path.relative_to(site).parts[0] in (
        "content",
        "themes",
        "assets",
        ".mapsite",
    ):
        reader.error(
            entry.line_of("path"), f"the folder '{path_text}' of {where} lies inside the site's sources"
        )
        return None
    return {"path": path}


def _header_rules(reader: FieldReader, entry: YamlMap, where: str) -> tuple[HeaderRule, ...]:
    rules = []
    for item, line in reader.items(entry, "headers", where):
        if not isinstance(item, YamlMap):
            reader.error(line, f"each entry of 'headers' in {where} must be {{match, cache_control}}")
            continue
        rule_where = f"a headers entry of {where}"
        reader.unknown_keys(item, ("match", "cache_control", "content_type"), rule_where)
        pattern = reader.text(item, "match", rule_where, required=True)
        cache = reader.text(item, "cache_control", rule_where)
        ctype = reader.text(item, "content_type", rule_where)
        if pattern and (cache or ctype):
            rules.append(HeaderRule(pattern, cache, ctype))
        elif pattern:
            reader.error(line, f"{rule_where} sets no header", "add cache_control: and/or content_type:")
    return tuple(rules)


_READERS = {"git": _git, "s3": _s3, "rsync": _ssh, "sftp": _ssh, "folder": _folder}
