"""Rough policy recall over the seed texts (not a test; a reading aid).

Candidates are the sentences of sources 000-004 holding a measure verb (the verbs of
hkg:PolicyActions and a few more); one counts as covered when a claim whose quote lies in
it states a policy (with --tasks: or serves a service task). Figures and quotes that happen
to hold such a verb are candidates too, so the ratio is a lower bound; -v lists the
uncovered sentences to read.

    python3 -m uv run python bench/policy_recall.py [--tasks] [-v]
"""

from __future__ import annotations

import re
import sys

from kg.checks import check_sources
from kg.datafiles import load_curated
from kg.records import POLICY_ACTIONS
from kg.sources import find_source, read_source_text, source_folders

SEEDS = ("000", "001", "002", "003", "004")
MORE_VERBS = {"推行", "推广", "设置", "开设", "搭建", "上线", "印发", "出台", "部署", "落实",
              "实现", "构建", "打造", "推动"}
SENTENCE = re.compile(r"[^。！？；\n]+")


def main(argv: list[str]) -> None:
    tasks, verbose = "--tasks" in argv, "-v" in argv
    data = load_curated()
    offsets = check_sources(data, source_folders(), [])
    verbs = sorted(set(POLICY_ACTIONS.values()) | MORE_VERBS, key=len, reverse=True)
    cue = re.compile("|".join(verbs))
    total = covered = 0
    missing = []
    for sid in SEEDS:
        facts = data.facts[sid]
        path = find_source(facts.source.file, source_folders())
        assert path is not None, facts.source.file
        text = read_source_text(path)
        spans = [offsets[(sid, c.id)] for c in facts.claims
                 if getattr(c, "states_policy", None) or (tasks and getattr(c, "task", None))]
        for match in SENTENCE.finditer(text):
            start, end = match.span()
            sentence = match.group(0).strip()
            if len(sentence) < 8 or not cue.search(sentence):
                continue
            total += 1
            if any(a < end and b > start for a, b in spans):
                covered += 1
            else:
                missing.append((sid, sentence[:90]))
    print(f"sentences with a measure verb: {total}; covered: {covered}; "
          f"recall (lower bound) {covered / total:.2f}")
    if verbose:
        for sid, sentence in missing:
            print(sid, sentence)


if __name__ == "__main__":
    main(sys.argv[1:])
