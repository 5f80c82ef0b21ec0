"""Time the human pages in process (no network): start-up, search index, each page type.

Not a test: prints medians (min–max) of `--runs` requests per page, after one warm-up.

    uv run python bench/pages_bench.py [--location var/kg] [--runs 20]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import tracemalloc
from pathlib import Path

from fastapi.testclient import TestClient

from kg.search import INDEX_FILE, write_index
from kg.service.app import create_app
from kg.service.context import ServiceConfig
from kg.service.dataset import DatasetSource
from kg.settings import Settings

PAGES = ("/", "/scorecard", "/search?q=wang+haidong", "/search?q=%E6%89%98%E4%BD%8D",
         "/search/suggest?q=wang&type=hkg:Person", "/person/wang-haidong", "/agency/nhc",
         "/region/cn", "/indicator/childcare-places-per-1000", "/source/001", "/person",
         "/claim/002/t-new-inclusive-childcare-places", "/dataset",
         "/api/queries/official-announced-target?announcer=%E7%8E%8B%E6%B5%B7%E4%B8%9C")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--location", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    started = time.perf_counter()
    settings = Settings(location=args.location, workers=1)
    app = create_app(ServiceConfig(source=DatasetSource(settings)))
    context = app.state.context
    print(f"create_app: {time.perf_counter() - started:.2f} s")
    tracemalloc.start()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / INDEX_FILE
        write_index(path, context.store, context.data_base, context.reader.dataset)
        held, _ = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"search index: {path.stat().st_size / 1e6:.1f} MB file, written in "
              f"{time.perf_counter() - started:.2f} s (traced), {held / 1e6:.1f} MB held")
    with TestClient(app) as client:
        for url in PAGES:
            for lang in ("zh", "en"):
                headers = {"accept": "text/html", "accept-language": lang}
                client.get(url, headers=headers)
                times = []
                for _ in range(args.runs):
                    start = time.perf_counter()
                    response = client.get(url, headers=headers)
                    times.append((time.perf_counter() - start) * 1000)
                print(f"{response.status_code} {lang} {statistics.median(times):7.1f} ms "
                      f"({min(times):.1f}–{max(times):.1f})  {url}")


if __name__ == "__main__":
    main()
