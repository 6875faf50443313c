"""The CrewAI adapter: an existing `crewai.Crew` (sequential or hierarchical) or a single `crewai.Agent`.

Each kickoff runs on a copy of the Crew or Agent (see crewai_seams.py): LLM calls, the manager
LLM's included, are trace steps and tool calls child tasks, and the user's objects are untouched.

Task inputs, what a kickoff takes per run: for a Crew, `inputs` (the kickoff inputs mapping
interpolated into the crew's tasks and agents) and `prompt` (available to them as `{prompt}`); for
an Agent, `prompt` and/or `messages` (a list of LLM messages; the prompt, if any, follows them as a
user message). Output: the raw text, or the structured output as JSON data when the last task
declares `output_pydantic`/`output_json`, or an Agent is given a `response_format`.

adapter_options: `entry` = "kickoff" (default) or "kickoff_async"; `response_format` (a pydantic
model, an Agent's `kickoff(..., response_format=...)`). A streaming crew's stream runs to its end
in the task, which returns the final output.
"""

from __future__ import annotations

import logging
import typing
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from byof.kit import drive, loaded_instance
from byof.plugins import Adapter, Param, TaskSignature, hookimpl

if TYPE_CHECKING:
    from byof import RunContext

NAME = "crewai"
SUPPORTED = ">=1.15,<2"
_TOKEN_ESTIMATE = "Using an approximate input token count"


class _TokenEstimateNotice(logging.Filter):
    """CrewAI warns before every call to an LLM that cannot count tokens itself (an OpenAI-compatible
    server, byof's scripted LLM) that it estimates them: noise in every run's output. It shows
    only when CrewAI's logging is at DEBUG."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(_TOKEN_ESTIMATE) or logging.getLogger(record.name).isEnabledFor(
            logging.DEBUG
        )


_quiet = _TokenEstimateNotice()


def _quiet_token_estimates() -> None:
    logger = logging.getLogger("crewai.llms.base_llm")
    if _quiet not in logger.filters:
        logger.addFilter(_quiet)


def _structured(agent: Any, options: Mapping[str, Any]) -> bool:
    if options.get("response_format") is not None:
        return True
    tasks = getattr(agent, "tasks", None) or []
    last = tasks[-1] if tasks else None
    return last is not None and (last.output_pydantic is not None or last.output_json is not None)


def _output(result: Any, structured: bool) -> Any:
    from byof.kit import to_jsonable

    if structured:
        if getattr(result, "pydantic", None) is not None:
            return to_jsonable(result.pydantic)
        if getattr(result, "json_dict", None) is not None:
            return to_jsonable(result.json_dict)
        raise ValueError(
            f"the kickoff gave no structured output to return, only text: {str(result.raw)[:200]!r}"
        )
    return str(result.raw)


async def _streamed(result: Any, entry: str) -> Any:
    """The CrewOutput of a kickoff; a streaming crew's (`Crew(stream=True)`) once its stream has
    run to the end in the task. Each LLM call in it is a whole trace step, so a replayed call
    streams no chunks but gives the same output."""
    from crewai.types.streaming import CrewStreamingOutput

    if not isinstance(result, CrewStreamingOutput):
        return result
    if entry == "kickoff_async":  # its stream is an async one
        async for _ in result:
            pass
    else:
        await drive(lambda: [None for _ in result])
    return result.result


def _messages(inputs: dict[str, Any]) -> str | list[dict[str, Any]]:
    """An Agent's kickoff messages: the `messages` given, then the prompt as a user message."""
    messages, prompt = inputs.get("messages"), inputs.get("prompt") or ""
    if messages is None:
        if not prompt:
            raise ValueError(
                "a CrewAI Agent's task needs a prompt or messages (what the agent kicks off with)"
            )
        return prompt
    return [*messages, {"role": "user", "content": prompt}] if prompt else list(messages)


async def _invoke(agent: Any, entry: str, inputs: dict[str, Any], run: Any) -> Any:
    from crewai import Crew

    options = run.options.adapter_options
    structured = _structured(agent, options)
    if isinstance(agent, Crew):
        kickoff_inputs = {
            **({"prompt": inputs["prompt"]} if inputs.get("prompt") else {}),
            **(inputs.get("inputs") or {}),
        }
        if entry == "kickoff":
            result = await drive(agent.kickoff, inputs=kickoff_inputs)
        else:
            result = await agent.kickoff_async(inputs=kickoff_inputs)
        return _output(await _streamed(result, entry), structured)
    messages, response_format = _messages(inputs), options.get("response_format")
    if entry == "kickoff":
        result = await drive(agent.kickoff, messages, response_format=response_format)
    else:
        result = await agent.kickoff_async(messages, response_format=response_format)
    return _output(result, structured)


class CrewAIAdapter(Adapter[Any]):
    """A `crewai.Crew` or a single `crewai.Agent`. Per run: the run's copy of it (CrewAI's own
    copy(), put back as the user built it) with traced LLM copies and routed tools."""

    name = NAME
    framework = "CrewAI"
    distribution = "crewai"
    extra = "crewai"
    supported = SUPPORTED
    description = "Crews (sequential, hierarchical) and single Agents, their tools and LLMs."
    entries = ("kickoff", "kickoff_async")

    def claims(self, obj: Any) -> bool:
        return loaded_instance(obj, "crewai", "Crew") or loaded_instance(obj, "crewai", "Agent")

    def signature(self, obj: Any, options: Mapping[str, Any]) -> TaskSignature:
        from crewai import Crew

        if isinstance(obj, Crew):
            if options.get("response_format") is not None:
                raise ValueError(
                    "adapter_options response_format is for a single crewai Agent's kickoff; a Crew's "
                    "structured output comes from its last task's output_pydantic or output_json"
                )
            per_run = Param("inputs", typing.Optional[dict], None)  # noqa: UP045 - a runtime type for Flyte
        else:
            per_run = Param("messages", typing.Optional[list[dict]], None)  # noqa: UP045
        return TaskSignature(
            params=(Param("prompt", str, ""), per_run),
            output=dict if _structured(obj, options) else str,
        )

    def prepare(self, obj: Any, run: RunContext) -> Any:
        from .crewai_seams import run_copy

        _quiet_token_estimates()
        return run_copy(obj, run.router)

    async def invoke(self, obj: Any, prepared: Any, inputs: dict[str, Any], run: RunContext) -> Any:
        return await _invoke(prepared, self.entry(run.options.adapter_options), inputs, run)


@hookimpl
def byof_register_adapters(register: Any) -> None:
    register(CrewAIAdapter())
