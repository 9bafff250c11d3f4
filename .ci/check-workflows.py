#!/usr/bin/env python3
"""Check the GitHub Actions workflows, which CI here cannot run.

For every .github/workflows/*.yml: it parses as YAML (PyYAML); it has a
name, triggers and jobs; every job has runs-on and steps, its `needs` name
jobs that exist and its ${{ matrix.X }} references name matrix keys; every
step has exactly one of `uses` (owner/repo@ref) and `run`; every
`bash PATH` in a run block names a file of the repository; and every run
block passes shellcheck (with ${{ ... }} expressions replaced by a word).
"""
import glob
import os
import re
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
errors = []


def err(where, msg):
    errors.append(f"{where}: {msg}")


def check_run(where, script):
    for m in re.finditer(r"\bbash\s+([\w.-]+/[\w./-]+)", script):
        path = m.group(1)
        if not path.startswith("-") and not os.path.exists(os.path.join(ROOT, path)):
            err(where, f"runs {path}, which is not in the repository")
    plain = re.sub(r"\$\{\{.*?\}\}", "x", script, flags=re.S)
    with tempfile.NamedTemporaryFile("w", suffix=".sh", delete=False) as f:
        f.write(plain)
    try:
        r = subprocess.run(
            ["shellcheck", "-s", "bash", "-e", "SC2034", f.name],
            capture_output=True, text=True)
        if r.returncode != 0:
            err(where, "shellcheck:\n" + r.stdout.replace(f.name, "run"))
    finally:
        os.unlink(f.name)


def check(path):
    rel = os.path.relpath(path, ROOT)
    with open(path) as f:
        try:
            wf = yaml.safe_load(f)
        except yaml.YAMLError as e:
            err(rel, f"not YAML: {e}")
            return 0
    if not isinstance(wf, dict):
        err(rel, "not a mapping")
        return 0
    # YAML 1.1 reads the key `on` as the boolean true.
    if "on" not in wf and True not in wf:
        err(rel, "no triggers (on:)")
    if not wf.get("name"):
        err(rel, "no name")
    jobs = wf.get("jobs")
    if not isinstance(jobs, dict) or not jobs:
        err(rel, "no jobs")
        return 0
    for jid, job in jobs.items():
        where = f"{rel}: job {jid}"
        if not isinstance(job, dict):
            err(where, "not a mapping")
            continue
        if "runs-on" not in job:
            err(where, "no runs-on")
        needs = job.get("needs", [])
        for n in [needs] if isinstance(needs, str) else needs:
            if n not in jobs:
                err(where, f"needs {n}, which is no job")
        matrix = (job.get("strategy") or {}).get("matrix") or {}
        for ref in sorted(set(re.findall(r"\$\{\{\s*matrix\.([\w-]+)", yaml.safe_dump(job)))):
            if ref not in matrix:
                err(where, f"matrix.{ref} is not in its matrix")
        steps = job.get("steps")
        if not isinstance(steps, list) or not steps:
            err(where, "no steps")
            continue
        for i, step in enumerate(steps, 1):
            swhere = f"{where} step {i}"
            if not isinstance(step, dict) or ("uses" in step) == ("run" in step):
                err(swhere, "needs exactly one of uses and run")
                continue
            if "uses" in step and not re.fullmatch(r"[\w.-]+/[\w./-]+@[\w.-]+", step["uses"]):
                err(swhere, f"uses {step['uses']!r} is not owner/repo@ref")
            if "run" in step:
                check_run(swhere, step["run"])
            # vmactions' run and prepare blocks are shell too.
            for key in ("run", "prepare"):
                block = (step.get("with") or {}).get(key)
                if isinstance(block, str):
                    check_run(f"{swhere} with.{key}", block)
    return len(jobs)


def main():
    files = sorted(glob.glob(os.path.join(ROOT, ".github/workflows/*.y*ml")))
    if not files:
        print("check-workflows: no .github/workflows/*.yml", file=sys.stderr)
        return 1
    for path in files:
        n = check(path)
        print(f"    {os.path.relpath(path, ROOT)}: {n} jobs")
    for e in errors:
        print(f"check-workflows: {e}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
