"""A deterministic corpus of realistic deals for benchmarks: ``python -m bench.corpus DIR N``.

Each deal has ~10 stakeholders, ~15 milestones with relative dates and dependencies, ~10
actions, risks, criteria and a Markdown body with a table; every tenth deal is a folder deal
with an extra page and a file. The same N gives the same files, byte for byte.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

PHASES = [
    "Discovery",
    "Evaluation",
    "Validation",
    "Business Case",
    "Procurement",
    "Legal",
    "Close",
    "Implementation",
]
FIRST = ["Dana", "Raj", "Lena", "Marta", "Sam", "Priya", "Tom", "Ana", "Kofi", "Ines", "Yuki", "Omar"]
LAST = ["Whitfield", "Patel", "Okafor", "Silva", "Carter", "Nair", "Reyes", "Costa", "Mensah", "Duarte"]
WORDS = [
    "pipeline", "routing", "campaign", "onboarding", "rollout", "integration", "security", "review",
    "budget", "pilot", "adoption", "forecast", "renewal", "workflow", "analytics", "dashboard",
    "governance", "migration", "training", "sponsor", "milestone",
]  # fmt: skip
BUYER_ROLES = ["economic_buyer", "champion", "technical_evaluator", "security", "procurement", "legal"]
SELLER_ROLES = ["account_executive", "sales_engineer", "executive_sponsor", "customer_success"]

SITE = """\
title: Benchmark deal rooms
seller: {name: Northwind Software, accent: "#5B2A86"}
base_url: https://deals.example/
calendar:
  holidays: [2027-05-31, 2027-07-05]
"""


def password_env(index: int) -> str:
    return f"BENCH_DEAL_{index}_PASSWORD"


def deal_text(index: int, rng: random.Random) -> str:
    buyer = f"{rng.choice(['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Vandelay'])} {index} Corp"
    people = []
    for n in range(10):
        side = "buyer" if n < 6 else "seller"
        role = BUYER_ROLES[n] if side == "buyer" else SELLER_ROLES[n - 6]
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        people.append((f"p{n}", name, side, role))
    lines = [
        "---",
        f'title: "{buyer} x Northwind: {rng.choice(WORDS).title()} {rng.choice(WORDS).title()} Program"',
        f'buyer: {{name: "{buyer}", accent: "#{rng.randrange(0x1000000):06X}"}}',
        f"close_date: 2027-{rng.randint(4, 9):02d}-{rng.randint(1, 28):02d}",
        "go_live: close + 25bd",
        "updated: 2027-02-19",
        "access:",
        f"  - {{label: Buying team, password_env: {password_env(index)}}}",
        "value_summary: |",
        f"  {buyer} cuts {rng.choice(WORDS)} time by {rng.randint(20, 60)}% and lifts "
        f"{rng.choice(WORDS)} by {rng.randint(5, 30)}% before the next quarter.",
        "stakeholders:",
    ]
    for pid, name, side, role in people:
        title = role.replace("_", " ").title()
        lines.append(f"  - {{id: {pid}, name: {name}, title: {title}, side: {side}, role: {role}}}")
    lines.append("milestones:")
    for n in range(15):
        phase = PHASES[min(n // 2, len(PHASES) - 1)]
        owners = f"[p{n % 6}, p{6 + n % 4}]"
        due = f"close - {(13 - n) * 4}bd" if n < 13 else ("close" if n == 13 else "m13 + 5bd")
        depends = f", depends_on: [m{n - 1}]" if n and n % 3 else ""
        status = "done" if n < 3 else rng.choice(["pending", "in_progress", "pending", "at_risk"])
        lines.append(
            f"  - {{phase: {phase}, id: m{n}, name: {rng.choice(WORDS).title()} {rng.choice(WORDS)} "
            f"step {n}, owners: {owners}, due: {due}{depends}, status: {status}, "
            f"notes: {rng.choice(WORDS)} check}}"
        )
    lines.append("actions:")
    for n in range(10):
        lines.append(
            f"  - {{task: {rng.choice(WORDS).title()} {rng.choice(WORDS)} follow-up {n}, owner: p{n % 10}, "
            f"due: close - {20 - n}bd, done: {str(n < 3).lower()}}}"
        )
    lines.append("success_criteria:")
    lines += [
        f"  - {{side: buyer, metric: {w.title()} time, current: 5 days, target: 3 days}}" for w in WORDS[:3]
    ]
    lines.append("risks:")
    lines += [
        f"  - {{risk: {w.title()} delay, probability: medium, impact: high, "
        f"mitigation: Escalate early, owner: p6}}"
        for w in WORDS[3:6]
    ]
    lines += ["cadence:", "  - {name: Weekly MAP review, when: Tuesdays 10:00}", "---", ""]
    paragraphs = []
    for _ in range(8):
        paragraphs.append(" ".join(rng.choice(WORDS) for _ in range(90)).capitalize() + ".")
    table = "| Item | Owner | Status |\n|---|---|---|\n" + "\n".join(
        f"| {rng.choice(WORDS)} | {people[n][1]} | {rng.choice(['open', 'done'])} |" for n in range(6)
    )
    body = f"## Context\n\n{paragraphs[0]}\n\n{table}\n\n" + "\n\n".join(paragraphs[1:])
    return "\n".join(lines) + body + "\n"


def write_corpus(root: Path, count: int) -> dict[str, str]:
    """Write a site with ``count`` deals; returns the password environment it needs."""
    rng = random.Random(20270222)
    deals = root / "content" / "deals"
    deals.mkdir(parents=True, exist_ok=True)
    (root / "mapsite.yml").write_text(SITE, "utf-8")
    for index in range(count):
        text = deal_text(index, rng)
        if index % 10 == 0:
            folder = deals / f"deal-{index:04d}"
            (folder / "files").mkdir(parents=True, exist_ok=True)
            (folder / "index.md").write_text(text + "\nSee the [pricing notes](pricing.md).\n", "utf-8")
            (folder / "pricing.md").write_text("# Pricing notes\n\n" + " ".join(WORDS * 20) + "\n", "utf-8")
            (folder / "files" / "proposal.pdf").write_bytes(bytes(rng.randrange(256) for _ in range(30_000)))
        else:
            (deals / f"deal-{index:04d}.md").write_text(text, "utf-8")
    return {password_env(i): f"bench-password-{i}" for i in range(count)}


if __name__ == "__main__":
    write_corpus(Path(sys.argv[1]), int(sys.argv[2]))
