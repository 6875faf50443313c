"""Chat models for homegrown agent loops that speak the OpenAI Chat Completions message format.

`ScriptedChat` answers from a `Script` in-process; `OpenAIChat` asks any OpenAI-compatible
endpoint over HTTP. Both take the same `messages`/`tools` and return the same assistant
message dict, so a loop tested against the script runs unchanged against a real provider.
"""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

import httpx

from byof.testing.openai_format import chat_completion, request_from_chat
from byof.testing.script import Script


def _assistant_message(message: dict[str, Any]) -> dict[str, Any]:
    """`role` and `content` always; other fields only when they carry something."""
    extra = {k: v for k, v in message.items() if k not in ("role", "content") and v not in (None, [], {})}
    return {"role": "assistant", "content": message.get("content"), **extra}


class ScriptedChat:
    """A chat model whose answers come from `script` (stateless: safe to share between runs)."""

    def __init__(self, script: Script, model: str = "scripted-model") -> None:
        self.script = script
        self.model = model

    def _answer(
        self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None
    ) -> tuple[dict[str, Any], float]:
        request = request_from_chat({"model": self.model, "messages": messages, "tools": tools or []})
        turn = self.script.respond(request)
        return _assistant_message(chat_completion(turn, self.model)["choices"][0]["message"]), turn.delay

    async def __call__(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
        response_format: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """An answer; a `response_format` is accepted and left to the script to honour."""
        message, delay = self._answer(messages, tools)
        await asyncio.sleep(delay)
        return message

    def complete(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
        response_format: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        message, delay = self._answer(messages, tools)
        time.sleep(delay)
        return message


class OpenAIChat:
    """A chat model behind an OpenAI-compatible `/chat/completions` endpoint.

    Each call opens its own HTTP client, so one instance is safe to use from any thread or
    event loop (an async client is bound to the loop that created it).
    """

    def __init__(
        self, model: str, *, base_url: str | None = None, api_key: str | None = None, timeout: float = 60
    ) -> None:
        key = api_key or os.environ.get("OPENAI_API_KEY")
        if not key:
            raise ValueError("OpenAIChat needs an API key: pass api_key=... or set OPENAI_API_KEY")
        self.model = model
        self.base_url = (base_url or os.environ.get("OPENAI_BASE_URL") or "https://api.openai.com/v1").rstrip(
            "/"
        )
        self.timeout = timeout
        self._api_key = key

    def _request(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None,
        response_format: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.model, "messages": messages}
        if tools:
            body["tools"] = tools
        if response_format:
            body["response_format"] = response_format
        headers = {"Authorization": f"Bearer {self._api_key}"}
        return {"url": f"{self.base_url}/chat/completions", "json": body, "headers": headers}

    @staticmethod
    def _message(response: httpx.Response) -> dict[str, Any]:
        if not response.is_success:
            raise RuntimeError(
                f"chat completion failed: HTTP {response.status_code} from {response.url}: {response.text}"
            )
        return _assistant_message(response.json()["choices"][0]["message"])

    async def __call__(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
        response_format: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """An answer; `response_format` (e.g. a JSON schema) asks for structured output."""
        async with httpx.AsyncClient(timeout=self.timeout) as client:
            return self._message(await client.post(**self._request(messages, tools, response_format)))

    def complete(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
        response_format: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        with httpx.Client(timeout=self.timeout) as client:
            return self._message(client.post(**self._request(messages, tools, response_format)))
