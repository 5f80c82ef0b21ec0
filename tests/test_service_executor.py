"""The query pool cannot be lost: every worker handed over comes back, a watchdog returns
any that nobody holds, one client cannot hold them all, and a query that needs too much
memory is stopped without taking the service down."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from kg.query_errors import QueryError, QueryMemoryLimit, QueryTimeout, TooManyQueries
from kg.service.dataset import DatasetSource
from kg.service.executor import QueryExecutor
from kg.service.worker import QueryJob

T = TypeVar("T")
ASK = QueryJob("ASK {}")
#: 200^4 = 1.6 billion solutions: minutes of work
CROSS_JOIN = QueryJob(
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }")
#: 200^3 = 8 million sorted rows of nine terms: gigabytes
SORTED_PRODUCT = QueryJob(
    "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i LIMIT 1")


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pool") / "generated.nt"
    path.write_text("".join(f"<http://ex.org/s{i}> <http://ex.org/p> \"{i}\" .\n"
                            for i in range(200)))
    return path


def with_pool(data: Path, test: Callable[[QueryExecutor], Awaitable[T]],
              **options: Any) -> T:
    """Run `test` against a started pool over the data, closing it afterwards."""
    async def main() -> T:
        executor = QueryExecutor(DatasetSource(files=(data,)), **{
            "workers": 1, "timeout": 5.0, **options})
        await executor.start()
        try:
            return await test(executor)
        finally:
            await executor.close()
    return asyncio.run(main())


async def answered_within(executor: QueryExecutor, seconds: float, client: str = "") -> bool:
    started = time.monotonic()
    answer = await (executor.run(ASK, timeout=seconds, client=client) if client
                    else executor.run(ASK, timeout=seconds))
    return answer.body is not None and time.monotonic() - started < seconds


def test_worker_handed_to_a_request_cancelled_in_the_same_iteration_comes_back(
        data: Path) -> None:
    """The race: the pool hands the only worker to a waiting request in the very
    event-loop iteration in which that request is cancelled (its deadline fired, or its
    client left). The worker must go back to the pool, not be lost for good."""
    async def test(executor: QueryExecutor) -> None:
        loop = asyncio.get_running_loop()
        worker = executor._idle.popleft()  # a job holds the only worker
        waiting = loop.create_task(executor.run(ASK, timeout=5.0))
        while not executor._waiters:
            await asyncio.sleep(0)

        def hand_over_then_cancel() -> None:
            executor._release(worker)  # the job is done: the waiter gets the worker...
            waiting.cancel()  # ...and, before it runs, its time is up

        loop.call_soon(hand_over_then_cancel)
        with pytest.raises(asyncio.CancelledError):
            await waiting
        assert await answered_within(executor, 2.0), "the worker was lost"
        assert executor.idle_count == 1

    with_pool(data, test)


def test_watchdog_returns_a_worker_that_nobody_holds(data: Path) -> None:
    async def test(executor: QueryExecutor) -> None:
        executor._idle.popleft()  # lost: not idle, not running, held by nobody
        executor.reconcile()  # first sweep: suspect (it may just have been handed over)
        assert executor.idle_count == 0
        executor.reconcile()
        assert executor.idle_count == 1 and executor.recovered == 1
        assert await answered_within(executor, 2.0)

    with_pool(data, test)


def test_watchdog_leaves_running_and_just_handed_workers_alone(data: Path) -> None:
    async def test(executor: QueryExecutor) -> None:
        running = asyncio.get_running_loop().create_task(
            executor.run(CROSS_JOIN, timeout=3.0))
        await asyncio.sleep(0.2)
        for _ in range(3):
            executor.reconcile()
        assert executor.recovered == 0 and executor.idle_count == 0
        with pytest.raises(QueryTimeout):
            await running

    with_pool(data, test)


def test_pool_recovers_after_overload(data: Path) -> None:
    """Far more requests than workers, slow and quick, with deadlines and clients leaving
    at random moments: afterwards every worker is idle and quick queries are answered."""
    async def test(executor: QueryExecutor) -> None:
        rng = random.Random(16)
        loop = asyncio.get_running_loop()
        tasks = []
        for i in range(60):
            job = CROSS_JOIN if i % 5 == 0 else ASK
            tasks.append(loop.create_task(executor.run(
                job, timeout=rng.choice([0.05, 0.2, 0.5, 1.0]), client=f"c{i % 4}")))
        for task in rng.sample(tasks, 20):
            loop.call_later(rng.uniform(0, 0.6), task.cancel)
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        assert all(isinstance(o, QueryError | asyncio.CancelledError) or o.body
                   for o in outcomes)
        deadline = time.monotonic() + 5
        while executor.idle_count < 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert executor.idle_count == 2, "workers were lost under overload"
        for _ in range(5):
            assert await answered_within(executor, 1.0)

    with_pool(data, test, workers=2, timeout=1.0, client_cap=None)


def test_one_client_cannot_hold_every_worker_while_another_waits(data: Path) -> None:
    async def test(executor: QueryExecutor) -> None:
        loop = asyncio.get_running_loop()
        greedy = [loop.create_task(executor.run(CROSS_JOIN, timeout=20.0, client="a"))
                  for _ in range(2)]
        await asyncio.sleep(0.3)  # both workers busy with client a's queries
        assert executor.idle_count == 0
        assert await answered_within(executor, 2.0, client="b")
        outcomes = await asyncio.wait_for(
            asyncio.gather(greedy[1], return_exceptions=True), 5)
        assert isinstance(outcomes[0], TooManyQueries)
        assert outcomes[0].status == 429
        greedy[0].cancel()
        await asyncio.gather(greedy[0], return_exceptions=True)

    with_pool(data, test, workers=2, timeout=20.0, client_cap=1)


def test_query_over_the_memory_limit_is_stopped_and_its_worker_replaced(
        data: Path) -> None:
    async def test(executor: QueryExecutor) -> None:
        pids = set(executor.worker_pids)
        with pytest.raises(QueryMemoryLimit) as caught:
            await executor.run(SORTED_PRODUCT, timeout=60.0)
        assert caught.value.status == 503 and caught.value.extra["limit"] == "memory"
        assert "memory" in caught.value.message and not pids & set(executor.worker_pids)
        assert await answered_within(executor, 5.0)

    with_pool(data, test, timeout=60.0, memory_limit=640 * 2**20)


def test_a_text_seen_before_skips_the_parse_but_not_the_policy() -> None:
    from kg.query_errors import QueryRefused
    from kg.service.worker import Checked, Worker, WorkerSetup

    graph = "http://example.org/g"
    setup = WorkerSetup(DatasetSource(store_url="http://store.invalid/"), {},
                        graphs=frozenset({graph}))
    worker = Worker(None, setup)
    text = f"SELECT * FROM <{graph}> WHERE {{ ?s ?p ?o }} # comment"
    first = worker.answer(QueryJob(sparql=text))
    again = worker.answer(QueryJob(sparql=text))
    assert isinstance(first, Checked) and first == again
    assert "#" not in again.sparql  # the canonical text runs, never the client's
    assert len(worker._seen) == 1
    worker.graphs = frozenset()  # the same cached shape, now outside the dataset
    with pytest.raises(QueryRefused):
        worker.answer(QueryJob(sparql=text))
    with pytest.raises(QueryError):  # a refused text is not remembered
        worker.answer(QueryJob(sparql="SELECT * { SERVICE <http://x/> { ?s ?p ?o } }"))
    assert len(worker._seen) == 1


def test_a_saved_query_is_checked_once_for_every_value_and_answers_as_bound_text(
        built_store: tuple[Path, Any]) -> None:
    """Parameters travel as bindings: the worker checks the unbound text once, then writes
    each value as a term; the answer is the one of the text with the values written in."""
    from kg.catalogue import as_term, load_catalogue
    from kg.namespaces import prefix_map
    from kg.service.worker import Worker, WorkerSetup

    source = DatasetSource(location=built_store[0])
    base = source.base_iri()
    catalogue = load_catalogue(base=base)
    store = source.open()
    by_text = Worker(store, WorkerSetup(source, prefix_map(base)))
    by_bindings = Worker(store, WorkerSetup(source, prefix_map(base)))
    compared = 0
    for query in catalogue.values():
        examples = {p.name: p.example for p in query.params if p.example}
        for values in ({}, examples):
            try:
                bound = query.bind(values, catalogue.prefixes)
            except ValueError:  # a required parameter without a value
                continue
            as_text = by_text.answer(QueryJob(sparql=query.bound_text(bound)))
            as_bindings = by_bindings.answer(QueryJob(sparql=query.text, bindings=tuple(
                (name, as_term(term)) for name, term in bound.items())))
            assert as_bindings == as_text, query.name
            compared += 1
    assert compared > len(catalogue)  # some queries with two different sets of values
    assert len(by_bindings._shapes) == len(catalogue)  # one parse per saved query
    assert len(by_text._shapes) == compared


def test_a_value_bound_to_a_saved_query_is_a_term_never_text() -> None:
    """A hostile value is written as a literal in its variable's place: the query keeps
    the structure the policy checked."""
    from kg.service.worker import Checked, Worker, WorkerSetup
    from kg.store.terms import literal

    setup = WorkerSetup(DatasetSource(store_url="http://store.invalid/"), {},
                        graphs=frozenset())
    worker = Worker(None, setup)
    hostile = '"} SERVICE <http://evil.example/> { ?s ?p ?o } #'
    checked = worker.answer(QueryJob(
        sparql="SELECT ?s WHERE { ?s ?p ?text }", bindings=(("text", literal(hostile)),)))
    assert isinstance(checked, Checked)
    assert checked.sparql.count("SERVICE") == 1  # inside the literal only
    assert '"\\"} SERVICE <http://evil.example/> { ?s ?p ?o } #"' in checked.sparql
    assert len(worker._shapes) == 1
