"""A harness that runs the W3C SPARQL 1.1 test suites over HTTP against a SPARQL endpoint.

Runnable as `uv run python -m tests.w3c.run`; `tests/test_w3c_*.py` use it from pytest.
"""
