"""Questions that need an answer now (architecture.md: "is there capacity at 9:30?") as nameko RPC, in the
broker namespace of the line (BUS_NAMESPACE), with a time limit and a clear refusal when nobody answers.

    from kit.rpc import RpcClient, rpc

    class Service(KitEndpoints):                       # the answering side (workshop)
        @rpc
        def promise_time(self, hours, not_before): ...

    class Service(KitEndpoints):                       # the asking side (booking, reception)
        workshop = RpcClient(names.WORKSHOP)

        def book(self, request):
            answer = self.workshop.call("hold", field="starts_at", appointment_id=..., ...)

nameko's own RPC names its queue `rpc-<service>` whatever the exchange, so two lines on one broker (parallel
test runs) would answer each other's calls: here the exchange (config "rpc_exchange", default
`<BUS_NAMESPACE>nameko-rpc`) and every queue carry the namespace. The service's queue is deleted when it stops,
so a call to a service that is down is refused at once (nameko's UnknownService); a call it does not answer
within RPC_TIMEOUT_SECONDS (default 5) is given up, and the request expires unread rather than being acted on
by a service that comes back later.
"""

from __future__ import annotations

import logging
import uuid

import eventlet
from amqp.exceptions import AMQPError
from kombu import Exchange, Queue
from kombu.exceptions import OperationalError
from nameko.amqp.publish import UndeliverableMessage
from nameko.constants import (
    AMQP_SSL_CONFIG_KEY,
    AMQP_URI_CONFIG_KEY,
    DEFAULT_SERIALIZER,
    LOGIN_METHOD_CONFIG_KEY,
    RPC_EXCHANGE_CONFIG_KEY,
    SERIALIZER_CONFIG_KEY,
)
from nameko.exceptions import RemoteError, UnknownService
from nameko.rpc import (
    RPC_REPLY_QUEUE_TEMPLATE,
    RPC_REPLY_QUEUE_TTL,
    MethodProxy,
    ReplyListener,
    Responder,
    Rpc,
    RpcConsumer,
    RpcProxy,
    RpcReply,
    ServiceProxy,
)

from .config import Settings
from .errors import DomainError
from .i18n import N_

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 5.0


def rpc_exchange_name(namespace: str) -> str:
    return f"{namespace}nameko-rpc"


def rpc_exchange(config) -> Exchange:
    """nameko's exchange (durable topic), named by config "rpc_exchange" or else after the namespace."""
    name = config.get(RPC_EXCHANGE_CONFIG_KEY) or rpc_exchange_name(Settings.value("BUS_NAMESPACE", "", config))
    return Exchange(name, durable=True, type="topic")


class NamespacedRpcConsumer(RpcConsumer):
    def setup(self):
        if self.queue is None:
            service = self.container.service_name
            namespace = Settings.load(self.container.config).bus_namespace
            self.queue = Queue(
                f"{namespace}rpc-{service}",
                exchange=rpc_exchange(self.container.config),
                routing_key=f"{service}.*",
                durable=False,
                auto_delete=True,  # gone while the service is down: callers are refused at once
            )
            self.queue_consumer.register_provider(self)
            self._registered = True

    def handle_result(self, message, result, exc_info):
        config = self.container.config
        responder = Responder(
            config[AMQP_URI_CONFIG_KEY],
            rpc_exchange(config),
            config.get(SERIALIZER_CONFIG_KEY, DEFAULT_SERIALIZER),
            message,
            ssl=config.get(AMQP_SSL_CONFIG_KEY),
            login_method=config.get(LOGIN_METHOD_CONFIG_KEY),
        )
        result, exc_info = responder.send_response(result, exc_info)
        self.queue_consumer.ack_message(message)
        return result, exc_info


class NamespacedRpc(Rpc):
    rpc_consumer = NamespacedRpcConsumer()


rpc = NamespacedRpc.decorator


class NamespacedReplyListener(ReplyListener):
    def setup(self):
        reply_queue_uuid = uuid.uuid4()
        service = self.container.service_name
        namespace = Settings.load(self.container.config).bus_namespace
        self.routing_key = str(reply_queue_uuid)
        self.queue = Queue(
            namespace + RPC_REPLY_QUEUE_TEMPLATE.format(service, reply_queue_uuid),
            exchange=rpc_exchange(self.container.config),
            routing_key=self.routing_key,
            queue_arguments={"x-expires": RPC_REPLY_QUEUE_TTL},
        )
        self.queue_consumer.register_provider(self)


class NamespacedMethodProxy(MethodProxy):
    def _call(self, *args, **kwargs):
        msg = {"args": args, "kwargs": kwargs}
        correlation_id = str(uuid.uuid4())
        reply_event = self.reply_listener.get_reply_event(correlation_id)
        try:
            self.publisher.publish(
                msg,
                exchange=rpc_exchange(self.container.config),
                routing_key=f"{self.service_name}.{self.method_name}",
                mandatory=True,
                reply_to=self.reply_listener.routing_key,
                correlation_id=correlation_id,
                extra_headers=self.get_message_headers(self.worker_ctx),
            )
        except UndeliverableMessage:
            raise UnknownService(self.service_name) from None
        return RpcReply(reply_event)


class NamespacedServiceProxy(ServiceProxy):
    def __getattr__(self, name):
        return NamespacedMethodProxy(self.worker_ctx, self.service_name, name, self.reply_listener, **self.options)


class ServiceUnavailable(DomainError):
    """The other service did not answer: nothing was done here, try again shortly."""

    status = 503

    def __init__(self, service: str, *, field: str | None = None):
        super().__init__(
            N_("The {service} service is not answering right now; nothing was saved. Please try again shortly."),
            field=field,
            code="service_unavailable",
            service=service,
        )

    def message_in(self, locale: str) -> str:
        from .config import SERVICE_TITLES
        from .i18n import translate

        title = SERVICE_TITLES.get(self.params["service"], self.params["service"])
        return translate(self.msgid, locale, service=translate(title, locale))


class Client:
    """What a worker gets: `call(method, field=..., **kwargs)` -> the answer, or ServiceUnavailable.

    `attempts=n` (a method that is idempotent by its arguments): a call not answered within the time limit is
    made again, up to n times in all, for a busy service; a stopped or failing one is refused at once."""

    def __init__(self, proxy: NamespacedServiceProxy, service: str, timeout: float):
        self._proxy, self.service, self.timeout = proxy, service, timeout

    def call(self, method: str, *, field: str | None = None, attempts: int = 1, **kwargs):
        for attempt in range(1, attempts + 1):
            try:
                with eventlet.Timeout(self.timeout):
                    return getattr(self._proxy, method)(**kwargs)
            except eventlet.Timeout as exc:
                if attempt == attempts:
                    raise ServiceUnavailable(self.service, field=field) from exc
                log.warning(
                    "%s did not answer %s in time (attempt %d of %d); asking again",
                    self.service,
                    method,
                    attempt,
                    attempts,
                )
            except (UnknownService, RemoteError, AMQPError, OperationalError, OSError) as exc:
                raise ServiceUnavailable(self.service, field=field) from exc


class RpcClient(RpcProxy):
    """`workshop = RpcClient(names.WORKSHOP)`: a namespaced nameko RpcProxy with a time limit."""

    rpc_reply_listener = NamespacedReplyListener()

    def __init__(self, target_service: str, **options):
        super().__init__(target_service, **options)

    def setup(self):
        raw = Settings.load(self.container.config).raw or {}
        self.timeout = float(raw.get("RPC_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS))
        # the request expires unread if the service does not take it within the time limit
        self.options.setdefault("expiration", self.timeout)

    def get_dependency(self, worker_ctx):
        proxy = NamespacedServiceProxy(worker_ctx, self.target_service, self.rpc_reply_listener, **self.options)
        return Client(proxy, self.target_service, self.timeout)
