"""The words ``mapsite deploy`` prints: the plan of a dry run and the closing summary.

Deletions are named, not only counted: a portal that leaves the site (an archived deal, a deal
file removed) is the one change a rep must be able to confirm at a glance, so a folder deleted
whole is one line with its name, and a file deleted from a folder that stays is named itself.
"""

from __future__ import annotations

from collections.abc import Collection

from mapsite.deploy.plan import DeployPlan, UpdateReason

NAMED_FILES = 10  # files deleted one by one named in the summary; the rest counted

REASON_WORDS: dict[UpdateReason, str] = {
    "content": "content changed",
    "headers": "headers changed",
    "unverified": "content not verified",
}


def size_text(size: int) -> str:
    value = float(size)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")


def plan_lines(plan: DeployPlan) -> list[str]:
    """Every change in the order it would happen."""
    new = {entry.path for entry in plan.uploads}
    reasons = {update.entry.path: REASON_WORDS[update.reason] for update in plan.updates}
    lines = []
    for entry in plan.transfers:
        if entry.path in new:
            lines.append(f"upload  {entry.path}  ({size_text(entry.size)})")
        else:
            lines.append(f"update  {entry.path}  ({size_text(entry.size)}, {reasons[entry.path]})")
    lines.extend(f"delete  {path}" for path in plan.deletes)
    if plan.dropped_commits:
        lines.append(f"replace the branch's {plan.dropped_commits} earlier commits with one")
    return lines


def deleted_names(deletes: list[str], kept: Collection[str]) -> list[str]:
    """The deleted paths, a folder the build no longer has at all as ``name/ (N files)``.

    ``kept`` are the paths the build publishes: a folder with none of them goes whole.
    """
    still = {path.split("/", 1)[0] for path in kept if "/" in path}
    folders: dict[str, int] = {}
    files: list[str] = []
    for path in deletes:
        top = path.split("/", 1)[0]
        if "/" in path and top not in still:
            folders[top] = folders.get(top, 0) + 1
        else:
            files.append(path)
    names = [f"{top}/ ({count} file{'s' * (count != 1)})" for top, count in sorted(folders.items())]
    if len(files) > NAMED_FILES:
        return [*names, *files[:NAMED_FILES], f"{len(files) - NAMED_FILES} more files (--dry-run lists them)"]
    return names + files


def plan_counts(plan: DeployPlan, done: bool) -> str:
    verbs = ("uploaded", "updated", "deleted") if done else ("to upload", "to update", "to delete")
    return (
        f"{len(plan.uploads)} {verbs[0]}, {len(plan.updates)} {verbs[1]}, "
        f"{len(plan.deletes)} {verbs[2]}, {plan.unchanged} unchanged"
    )


def summary(
    plan: DeployPlan, location: str, seconds: float, url: str | None, kept: Collection[str] = ()
) -> list[str]:
    """The closing lines; ``kept`` (the build's paths) tells a portal deleted whole."""
    if plan.is_empty:
        first = (
            f"Nothing to deploy: {location} already serves this build "
            f"({plan.unchanged} files unchanged, 0 B sent, {seconds:.2f} s)."
        )
    else:
        first = (
            f"Deployed to {location}: {plan_counts(plan, done=True)}; "
            f"{size_text(plan.bytes_to_send)} sent in {seconds:.2f} s."
        )
    lines = [first]
    if plan.deletes:
        lines.append("Deleted: " + ", ".join(deleted_names(plan.deletes, kept)))
    if url:
        lines.append(f"Live at {url}")
    if plan.dropped_commits:
        lines.append(
            f"The branch's {plan.dropped_commits} earlier commits are no longer reachable from it; "
            "the host and forks may still hold them (docs/deploy.md, Purging an old history)."
        )
    return lines
