"""The server: the REST API under /api, the collectors' desk and the customer page (FastAPI).

``app.create_app`` builds it over a ``bootstrap.App`` (the same database as the
CLI); ``recoup serve`` runs it under uvicorn. Routes are thin: they check who is
asking (``security``), call one service in one transaction and shape the answer;
domain errors become HTTP answers in one table (``errors``).
"""
