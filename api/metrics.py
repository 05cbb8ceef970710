"""Prometheus metrics: request counts and latencies by endpoint, queues, overdue tasks, instances, timer lag.

Readable with the scraper's token (YIBAO_METRICS_TOKEN) or an administrator's bearer token — never by the caller's
address: behind a reverse proxy on the same host every caller would be "local". Request figures are per process; under
several gunicorn workers each process reports its own (scrape them through prometheus_client's multiprocess
mode, or sum across instances).
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator

from flask import Flask, Response, g, request
from flask.views import MethodView
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from domain.errors import Forbidden, Unauthenticated
from domain.permissions import can
from workflows import identity, operations

from .auth import bearer_token
from .blueprint import Blueprint
from .services import services

blp = Blueprint("metrics", __name__, description="Prometheus metrics (the scraper's token or administrators)")


class _Figures(Collector):
    """Gauges read from the database at scrape time."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with self.app.app_context():
            f = operations.figures(self.app.extensions["yibao"])
        tasks = GaugeMetricFamily("yibao_tasks", "Open and claimed tasks per queue",
                                  labels=["lane_role", "organization", "status"])
        for role, org, status, count in f.open_tasks:
            tasks.add_metric([role, org, status], count)
        yield tasks
        yield GaugeMetricFamily("yibao_tasks_overdue", "Open or claimed tasks past their due time",
                                value=f.overdue_tasks)
        instances = GaugeMetricFamily("yibao_instances", "Process instances by status", labels=["status"])
        for status, count in sorted(f.instances_by_status.items()):
            instances.add_metric([status], count)
        yield instances
        yield GaugeMetricFamily("yibao_timer_lag_seconds", "How long the oldest due timer has waited to fire",
                                value=f.oldest_timer_lag_seconds)


def register(app: Flask) -> None:
    """Create the app's own registry and count every request."""
    registry = CollectorRegistry()
    requests = Counter("yibao_http_requests", "HTTP requests", ["method", "endpoint", "status"], registry=registry)
    latency = Histogram("yibao_http_request_seconds", "HTTP request latency", ["method", "endpoint"],
                        registry=registry, buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))
    registry.register(_Figures(app))
    app.extensions["yibao_metrics"] = registry

    @app.after_request
    def _count(response: Response) -> Response:
        endpoint = request.url_rule.rule if request.url_rule is not None else "<unmatched>"
        requests.labels(request.method, endpoint, str(response.status_code)).inc()
        started = g.get("started")
        if started is not None:
            from time import perf_counter

            latency.labels(request.method, endpoint).observe(perf_counter() - started)
        return response


def _check_access() -> None:
    """Let in the scraper's YIBAO_METRICS_TOKEN or an administrator's token; nobody by address alone."""
    token = bearer_token()
    if token is None:
        raise Unauthenticated("send the metrics token or an administrator's bearer token", code="missing_token")
    scraper_token = services().settings.metrics_token
    if scraper_token and hmac.compare_digest(token.encode(), scraper_token.encode()):
        return
    actor = identity.authenticate(services(), token)  # an unknown token: 401
    if not can(actor, "metrics.read"):
        raise Forbidden("metrics are for administrators and the metrics scraper", code="metrics_forbidden")


@blp.route("/metrics")
class Metrics(MethodView):
    @blp.response(200, content_type=CONTENT_TYPE_LATEST)
    @blp.alt_response(401, description="no token, or an unknown one")
    @blp.alt_response(403, description="a token of someone other than an administrator")
    @blp.doc(security=[{"bearerAuth": []}])
    def get(self) -> Response:
        """Prometheus text format; the scraper's token (YIBAO_METRICS_TOKEN) or an administrator's token."""
        _check_access()
        from flask import current_app

        registry: CollectorRegistry = current_app.extensions["yibao_metrics"]
        return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)  # mimetype= adds a charset
