"""The HTTP service: SPARQL endpoint, saved-query API, linked-data pages and dumps.

Kept free of imports so that query workers (`kg.service.worker`) start light;
the application itself is `kg.service.app.create_app`.
"""
