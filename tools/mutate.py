"""Mutation run for one module against its own test files (mutmut), with a written summary.

    python tools/mutate.py escalations/engine/conditions.py [--tests FILE ...] [--jobs N]
        [--keep [--rerun-survivors]] [--fail-under PERCENT]

``tools/mutation.toml`` names, per module, the test files that guard it and the surviving mutants
judged equivalent (each with why). The run happens in ``var/mutation/<module>/``: a generated
``pyproject.toml`` (the project's, plus a ``[tool.mutmut]`` section for this module) beside
symlinks to the source packages, so the worktree's own configuration is never touched and two
modules never share a ``mutants/`` folder. mutmut copies the packages into ``mutants/``, rewrites
only the chosen module, maps each test to the functions it runs and kills each mutant with the tests
that reach its function. The summary (``var/mutation/<module>/summary.md``, also printed) counts
killed, survived, equivalent and the rest, the score without the equivalent mutants, and shows the
diff of every survivor. Exit status 0 when the score reaches ``--fail-under`` (default 0: report
only), 1 otherwise; ``docs/mutation.md`` records the results.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "tools" / "mutation.toml"
# Everything a test run imports or reads from the tree (BASE_DIR/templates, BASE_DIR/static;
# bench: the language tests read its benchmark sets).
SOURCE_PACKAGES = ("escalations", "tickets", "kimondesk", "reports")
ALSO_COPY = ("templates", "static", "manage.py", "tools", "bench")
RESULT_LINE = re.compile(r"^\s*(?P<name>\S+__mutmut_\d+): (?P<status>.+?)\s*$")


@dataclass(frozen=True)
class ModuleConfig:
    tests: tuple[str, ...]
    equivalent: dict[str, str]


def module_config(module: str) -> ModuleConfig:
    table = tomllib.loads(CONFIG.read_text("utf-8")).get(module, {})
    return ModuleConfig(
        tests=tuple(table.get("tests", ())),
        equivalent={item["mutant"]: item["why"] for item in table.get("equivalent", ())},
    )


def toml_list(items: tuple[str, ...] | list[str]) -> str:
    return "[" + ", ".join(f'"{item}"' for item in items) + "]"


def prepare_workdir(module: str, tests: tuple[str, ...], *, keep: bool) -> Path:
    slug = module.removesuffix(".py").replace("/", ".")
    workdir = ROOT / "var" / "mutation" / slug
    if workdir.exists() and not keep:
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    for name in (*SOURCE_PACKAGES, *ALSO_COPY, "tests"):
        link = workdir / name
        if not link.is_symlink():
            link.symlink_to(ROOT / name)
    # Each mutant's run creates its own test database: from the models (--no-migrations), which
    # takes about a second instead of replaying every migration.
    pytest_args = [
        "-q",
        "-x",
        "--no-migrations",
        "-p",
        "no:warnings",
        "-p",
        "tools.mutation_plugin",
    ]
    section = "\n".join(
        [
            "",
            "[tool.mutmut]",
            f"source_paths = {toml_list(list(SOURCE_PACKAGES))}",
            f"only_mutate = {toml_list([module])}",
            f"also_copy = {toml_list(list(ALSO_COPY))}",
            f"pytest_add_cli_args = {toml_list(pytest_args)}",
            f"pytest_add_cli_args_test_selection = {toml_list(tests)}",
            # A mutant fails after (estimated test time + 10 s) x 15 of wall time: the machine is
            # shared, and the first test of a run also creates the test database.
            "timeout_constant = 10.0",
            # The run is compared with the fresh copy only: no git, no dependency tracking.
            "use_git_change_detection = false",
            "track_dependencies = false",
            "",
        ]
    )
    project = (ROOT / "pyproject.toml").read_text("utf-8")
    (workdir / "pyproject.toml").write_text(project + section, "utf-8")
    return workdir


def mutmut(workdir: Path, *args: str, capture: bool = False) -> str:
    # mutmut's own command line, with the generator fix in tools/mutmut_cli.py.
    command = ["nice", "-n", "10", sys.executable, str(ROOT / "tools" / "mutmut_cli.py"), *args]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(  # noqa: S603 (fixed argv, no shell)
        command, cwd=workdir, env=env, check=False, text=True, capture_output=capture
    )
    if done.returncode != 0:
        raise SystemExit(f"mutmut {' '.join(args)} failed with exit status {done.returncode}")
    return done.stdout if capture else ""


def results(workdir: Path) -> dict[str, str]:
    """Each mutant's status from the last run (killed, survived, timeout, no tests, ...)."""
    statuses = {}
    for line in mutmut(workdir, "results", "--all", "true", capture=True).splitlines():
        match = RESULT_LINE.match(line)
        if match:
            statuses[match["name"]] = match["status"]
    return statuses


def summarise(
    module: str, command: str, statuses: dict[str, str], config: ModuleConfig, diffs: dict[str, str]
) -> tuple[str, float]:
    counts = Counter(statuses.values())
    survivors = sorted(name for name, status in statuses.items() if status != "killed")
    equivalent = [name for name in survivors if name in config.equivalent]
    stale = sorted(set(config.equivalent) - set(survivors))
    counted = len(statuses) - len(equivalent)
    score = 100.0 * counts["killed"] / counted if counted else 100.0
    lines = [
        f"# Mutation run: {module}",
        "",
        f"command: `{command}`",
        f"tests: {', '.join(config.tests)}",
        "",
        "| mutants | killed | survived | equivalent | other | score (equivalent excepted) |",
        "|---|---|---|---|---|---|",
        f"| {len(statuses)} | {counts['killed']} | {counts['survived'] - len(equivalent)}"
        f" | {len(equivalent)} | {len(statuses) - counts['killed'] - counts['survived']}"
        f" | {score:.1f} % |",
        "",
        "statuses: " + ", ".join(f"{status} {n}" for status, n in sorted(counts.items())),
        "",
    ]
    for name in survivors:
        label = "equivalent" if name in config.equivalent else statuses[name]
        lines += [f"## {name}: {label}", ""]
        if name in config.equivalent:
            lines += [config.equivalent[name], ""]
        lines += ["```diff", diffs[name].strip(), "```", ""]
    if stale:
        lines += ["Listed as equivalent but not surviving (update tools/mutation.toml):", ""]
        lines += [f"- {name}" for name in stale] + [""]
    return "\n".join(lines), score


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "module", help="the module to mutate, e.g. escalations/engine/conditions.py"
    )
    parser.add_argument("--tests", nargs="+", help="test files (default: tools/mutation.toml)")
    parser.add_argument("--jobs", type=int, default=2, help="mutants tested at once (default 2)")
    parser.add_argument("--keep", action="store_true", help="reuse the previous run's results")
    parser.add_argument(
        "--rerun-survivors",
        action="store_true",
        help="with --keep: test again only the mutants the previous run did not kill",
    )
    parser.add_argument("--fail-under", type=float, default=0.0, help="minimum score in percent")
    args = parser.parse_args(argv)

    module = args.module
    if not (ROOT / module).is_file():
        parser.error(f"no such module: {module}")
    config = module_config(module)
    if args.tests:
        config = ModuleConfig(tests=tuple(args.tests), equivalent=config.equivalent)
    if not config.tests:
        parser.error(f"no test files for {module}: pass --tests or add them to {CONFIG.name}")

    started = time.monotonic()
    workdir = prepare_workdir(module, config.tests, keep=args.keep)
    again: list[str] = []
    if args.keep and args.rerun_survivors and (workdir / "mutants").is_dir():
        again = sorted(name for name, status in results(workdir).items() if status != "killed")
    mutmut(workdir, "run", "--max-children", str(args.jobs), *again)
    statuses = results(workdir)
    diffs = {
        name: mutmut(workdir, "show", name, capture=True)
        for name, status in statuses.items()
        if status != "killed"
    }
    command = f"make mutate MODULE={module}"
    if args.keep:
        command += f" MUTATE_ARGS='--keep{' --rerun-survivors' if again else ''}'"
    summary, score = summarise(module, command, statuses, config, diffs)
    summary += f"\nwall time: {(time.monotonic() - started) / 60:.1f} min\n"
    (workdir / "summary.md").write_text(summary, "utf-8")
    print(summary)
    print(f"summary written to {(workdir / 'summary.md').relative_to(ROOT)}")
    return 0 if score >= args.fail_under else 1


if __name__ == "__main__":
    sys.exit(main())
