"""Wiring: the services, the ``/ws`` endpoint and the admin API, in one Litestar app."""

from __future__ import annotations

import gc
import logging
from collections.abc import Coroutine
from typing import Any

from litestar import Litestar, Request, Response, asgi
from litestar.enums import ScopeType
from litestar.exceptions import ClientException, HTTPException, ValidationException
from litestar.types import Receive, Scope, Send

from wsrouter import cluster
from wsrouter._generated.http_models import Readiness
from wsrouter._generated.http_routes import route_handlers
from wsrouter.admin.api import AdminApi, NotReady
from wsrouter.auth import TokenVerifier
from wsrouter.broker import open_broker
from wsrouter.connection_types.binding import bind_handlers
from wsrouter.connection_types.presence import PresenceFeed
from wsrouter.console import console_routes
from wsrouter.metrics import router_metrics
from wsrouter.protocol.session import MAX_DEPTH, nesting
from wsrouter.protocol.throttle import TypingThrottle
from wsrouter.registry import RegistryUnavailable, open_registry
from wsrouter.services import Services
from wsrouter.settings import Settings
from wsrouter.store import StorageUnavailable, open_store
from wsrouter.timers import SessionClock
from wsrouter.transport.endpoint import WebSocketEndpoint
from wsrouter.transport.hub import Hub

log = logging.getLogger("wsrouter.app")

MAX_BODY_BYTES = 64 * 1024
"""The largest admin API body (HTTP 413 above it)."""


def _validation_failed(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    # The spec answers invalid parameters and bodies with 422 (Litestar's default is 400).
    body: dict[str, Any] = {"status_code": 422, "detail": exc.detail}
    if exc.extra:
        body["extra"] = exc.extra
    return Response(body, status_code=422)


async def _log_unexpected(exc: Exception, scope: Scope) -> None:
    # Litestar logs nothing itself (logging_config=None); a 500 must still leave a trace.
    # An unreachable store or registry is no bug: its handler answers 503 and logs it.
    if not isinstance(exc, HTTPException | StorageUnavailable | RegistryUnavailable):
        log.error(
            "unexpected error method=%s path=%s", scope.get("method"), scope["path"], exc_info=exc
        )


async def _bounded_nesting(request: Request[Any, Any, Any]) -> None:
    """Refuse a JSON body nested deeper than the protocol's limit, before it is decoded.

    The decoder recurses once per level; a body of a few kilobytes of brackets would
    otherwise end in a ``RecursionError`` (a 500) instead of a 400 that says why.
    """
    if request.method not in ("POST", "PUT", "PATCH"):
        return
    body = await request.body()
    if body.count(b"[") + body.count(b"{") > MAX_DEPTH and (
        nesting(body.decode("utf-8", "replace")) > MAX_DEPTH
    ):
        message = f"the JSON body is nested deeper than {MAX_DEPTH} levels"
        raise ClientException(message, extra=[{"message": message, "source": "body"}])


def _storage_unavailable(
    request: Request[Any, Any, Any], exc: StorageUnavailable
) -> Response[dict[str, Any]]:
    log.warning("storage unavailable method=%s path=%s: %s", request.method, request.url.path, exc)
    detail = "the server could not store this (nothing was stored); retry later"
    return Response({"status_code": 503, "detail": detail}, status_code=503)


def _unavailable(request: Request[Any, Any, Any], exc: RegistryUnavailable) -> Response[Any]:
    # Cluster mode with Redis unreachable: the admin API cannot answer for the cluster.
    log.warning("registry unavailable method=%s path=%s: %s", request.method, request.url.path, exc)
    body = {"status_code": 503, "detail": "the cluster's registry is unreachable"}
    return Response(body, status_code=503)


def _not_ready(request: Request[Any, Any, Any], exc: NotReady) -> Response[Readiness]:
    checks = exc.extra.get("checks", {}) if isinstance(exc.extra, dict) else {}
    return Response(Readiness(status="not_ready", checks=checks), status_code=503)


class RouterApp(Litestar):
    """Litestar, with a short way in for ``/ws`` WebSockets.

    A WebSocket's ``send`` would otherwise pass through Litestar's exception middleware
    on every frame (about a twentieth of an echo's cost, measured). The endpoint
    catches what it must itself; anything else (HTTP, lifespan, other paths) is
    Litestar's, and ``/ws`` stays a Litestar route too (HTTP gets 426 there).
    """

    endpoint: WebSocketEndpoint

    def __call__(self, scope: Any, receive: Any, send: Any) -> Coroutine[Any, Any, None]:
        # A plain function returning the coroutine: no frame of ours per connection.
        if scope["type"] == "websocket":
            if scope["path"] == "/ws":
                return self.endpoint(scope, receive, send)
            return _no_websocket_here(scope, receive, send)
        return super().__call__(scope, receive, send)


async def _no_websocket_here(scope: Any, receive: Any, send: Any) -> None:
    """A WebSocket to any path but ``/ws``: HTTP 404 before the upgrade.

    Litestar would close it before accepting, which servers turn into a 403, as if the
    path existed and the client were refused.
    """
    await receive()  # websocket.connect
    if "websocket.http.response" not in scope.get("extensions", {}):
        await send({"type": "websocket.close", "code": 1008})  # the best the server allows
        return
    body = b'{"status_code":404,"detail":"Not Found: WebSockets are served at /ws"}'
    await send(
        {
            "type": "websocket.http.response.start",
            "status": 404,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", b"%d" % len(body)),
            ],
        }
    )
    await send({"type": "websocket.http.response.body", "body": body})


def create_app(settings: Settings) -> RouterApp:
    """The router, ready to be served by uvicorn; ``app.state.endpoint`` drains on shutdown.

    Raises ``HandlerProblems`` when a connection type of the spec has no complete
    handler: nothing is served then.
    """
    handlers = bind_handlers()
    hub = Hub()
    metrics = router_metrics()
    metrics.gauge(
        "wsrouter_connections", "Open WebSocket connections on this node.", lambda: len(hub)
    )
    services = Services(
        settings=settings,
        store=open_store(settings.database_url),
        broker=open_broker(settings.broker_url),
        registry=open_registry(settings.broker_url),
        hub=hub,
        tokens=TokenVerifier(settings),
        metrics=metrics,
    )
    if settings.broker_url != "memory://":
        cluster.attach(services)
    clock = SessionClock(services)
    typing = TypingThrottle(settings.limits.typing_interval_seconds)
    presence = PresenceFeed(
        services.broker,
        services.registry.room_users,
        settings.limits.presence_interval_seconds,
        settings.limits.presence_burst,
    )
    endpoint = WebSocketEndpoint(services, clock, handlers, typing, presence)

    @asgi("/ws", copy_scope=False)
    async def ws(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.WEBSOCKET:
            response = Response(
                {"status_code": 426, "detail": "this endpoint speaks WebSocket only"},
                status_code=426,
                headers={"Upgrade": "websocket"},
            )
            await response.to_asgi_response(app=None, request=Request(scope))(scope, receive, send)
            return
        await endpoint(scope, receive, send)  # type: ignore[arg-type]

    async def startup() -> None:
        await services.store.start()
        await services.registry.start()
        await services.broker.start(hub.deliver, hub.disconnect)
        clock.start()
        # Everything made so far (Litestar, the specs, the services) lives as long as the
        # process: out of the collector's sight, an old-generation collection no longer
        # walks it (one took 50 ms here; with it, echo ran about 25 % faster).
        gc.collect()
        gc.freeze()
        log.info(
            "started node=%s broker=%s", settings.node_id, settings.broker_url.split(":", 1)[0]
        )

    async def shutdown() -> None:
        await endpoint.drain(1012, "server restarting", settings.shutdown_grace_seconds)
        await clock.stop()
        await presence.close()
        await services.broker.close()
        await services.registry.close()
        await services.store.close()
        log.info("stopped node=%s", settings.node_id)

    app = RouterApp(
        route_handlers=[*route_handlers(AdminApi(services)), ws, *console_routes(settings)],
        before_request=_bounded_nesting,
        # What the admin API takes (openapi.yaml, 413): a notification is stored and
        # replayed on every connect of its user, so its size is bounded here.
        request_max_body_size=MAX_BODY_BYTES,
        on_startup=[startup],
        on_shutdown=[shutdown],
        exception_handlers={
            ValidationException: _validation_failed,
            NotReady: _not_ready,
            StorageUnavailable: _storage_unavailable,
            RegistryUnavailable: _unavailable,
        },
        after_exception=[_log_unexpected],
        openapi_config=None,
        logging_config=None,
    )
    app.endpoint = endpoint
    app.state.endpoint = endpoint
    app.state.services = services
    return app
