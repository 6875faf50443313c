"""A scripted OpenAI-compatible HTTP server on 127.0.0.1, for tests of real provider classes.

Frameworks whose model is an OpenAI client (or any OpenAI-compatible client) can be tested
unchanged by pointing their `base_url` at this server: their own request building, response
parsing and streaming code runs, and the answers come from a `Script`. Stdlib only, so it
works in every adapter's test environment.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from byof.testing.openai_format import (
    CREATED,
    chat_chunks,
    chat_completion,
    estimate_tokens,
    request_from_chat,
    request_from_responses,
    response_events,
    response_object,
)
from byof.testing.script import Script


class ScriptedOpenAIServer:
    """Serves `/v1/chat/completions`, `/v1/responses` and `/v1/models` from a `Script`.

    Every request body is recorded in `requests` (with its path) before it is answered. A
    script error becomes an HTTP 500 whose message carries the exception text, with
    `x-should-retry: false` so OpenAI clients fail at once instead of retrying a
    deterministic failure.
    """

    api_key = "sk-scripted-not-a-real-key"

    def __init__(self, script: Script, *, model: str = "scripted-model") -> None:
        self.script = script
        self.model = model
        self._requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> ScriptedOpenAIServer:
        if self._httpd is None:
            self._httpd = _HTTPServer(self)
            # A short poll interval keeps stop() (and so every test's teardown) fast.
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, args=(0.05,), name="scripted-openai", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None and self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._httpd.server_close()
            self._httpd = None
            self._thread = None

    def __enter__(self) -> ScriptedOpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError(
                "ScriptedOpenAIServer is not running: call start() or use it as a context manager"
            )
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    @property
    def requests(self) -> list[dict[str, Any]]:
        """`{"path": ..., "body": ...}` for every POST received, oldest first (a copy)."""
        with self._lock:
            return list(self._requests)

    def count(self, path_suffix: str) -> int:
        """How many POSTs went to a path ending with `path_suffix` (e.g. "/chat/completions")."""
        with self._lock:
            return sum(1 for r in self._requests if r["path"].endswith(path_suffix))

    def _record(self, path: str, body: dict[str, Any]) -> None:
        with self._lock:
            self._requests.append({"path": path, "body": body})


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, scripted: ScriptedOpenAIServer) -> None:
        self.scripted = scripted
        super().__init__(("127.0.0.1", 0), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client hanging up mid-answer is its business; anything else is reported."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _error(message: str, kind: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": None}}


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 keep-alive is safe: JSON answers carry Content-Length, streams close the connection.
    protocol_version = "HTTP/1.1"

    server: _HTTPServer

    @property
    def scripted(self) -> ScriptedOpenAIServer:
        return self.server.scripted

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: test output should show the test's failures, not request logs."""

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0].rstrip("/")
        model = {"id": self.scripted.model, "object": "model", "created": CREATED, "owned_by": "byof"}
        if path == "/v1/models":
            self._send_json(200, {"object": "list", "data": [model]})
        elif path == f"/v1/models/{self.scripted.model}":
            self._send_json(200, model)
        else:
            self._send_json(404, _error(f"no route GET {path}", "invalid_request_error"))

    def do_POST(self) -> None:
        path = self.path.split("?", 1)[0].rstrip("/")
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw or b"{}")
        except ValueError as exc:
            self._send_json(400, _error(f"request body is not JSON: {exc}", "invalid_request_error"))
            return
        if path not in ("/v1/chat/completions", "/v1/responses"):
            self._send_json(404, _error(f"no route POST {path}", "invalid_request_error"))
            return
        self.scripted._record(path, body)
        try:
            answer = self._answer(path, body)
        except Exception as exc:
            message = f"scripted model failed: {type(exc).__name__}: {exc}"
            self._send_json(500, _error(message, "server_error"), {"x-should-retry": "false"})
            return
        if isinstance(answer, list):
            self._send_events(answer, named=path == "/v1/responses")
        else:
            self._send_json(200, answer)

    def _answer(self, path: str, body: dict[str, Any]) -> dict[str, Any] | list[dict[str, Any]]:
        """The JSON answer, or (when the request streams) the list of events to send."""
        model = self.scripted.model
        chat = path == "/v1/chat/completions"
        request = request_from_chat(body) if chat else request_from_responses(body)
        turn = self.scripted.script.respond(request)
        time.sleep(turn.delay)
        tokens = estimate_tokens(request)
        stream = bool(body.get("stream"))
        if chat and stream:
            usage = bool((body.get("stream_options") or {}).get("include_usage"))
            return chat_chunks(turn, model, include_usage=usage, prompt_tokens=tokens)
        if chat:
            return chat_completion(turn, model, prompt_tokens=tokens)
        if stream:
            return response_events(turn, model, input_tokens=tokens)
        return response_object(turn, model, input_tokens=tokens)

    def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _send_events(self, events: list[dict[str, Any]], *, named: bool) -> None:
        """Server-sent events: Responses events carry `event:` lines, Chat chunks end with [DONE]."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        for event in events:
            prefix = f"event: {event['type']}\n" if named else ""
            self.wfile.write(f"{prefix}data: {json.dumps(event)}\n\n".encode())
            self.wfile.flush()
        if not named:
            self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()
