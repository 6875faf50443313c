"""The smolagents adapter: an existing `ToolCallingAgent` or `CodeAgent`, with its managed agents.

Each run works on a copy of the agent tree (see smolagents_seams.py): every agent's model calls
are trace steps and its tool calls child tasks, also the calls a CodeAgent's code makes.

Task inputs, what `agent.run(...)` takes per run as data: `prompt` (the task), `additional_args`
(JSON data the agent's code or tools can use by name), `max_steps`, `reset` (False continues a
conversation) and `memory` (the steps of an earlier run to continue from, with `reset=False`).
Output: the final answer, typed by the `final_answer` tool's output type (text for "any"); with
`return_full_result` (the agent's own setting, or adapter_options) the run's `RunResult` as a dict;
with adapter_options `return_memory=True`, a dict with the output and the run's memory steps.

adapter_options: `entry` = "run" (default) or "stream" (`agent.run(task, stream=True)`: the
steps stream inside the task, and the final answer is its output), `max_steps` (the default),
`return_full_result`, `return_memory`.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from byof.kit import drive, loaded_instance, to_jsonable, to_output
from byof.plugins import Adapter, Param, TaskSignature, hookimpl

if TYPE_CHECKING:
    from byof import RunContext

NAME = "smolagents"
SUPPORTED = ">=1.20,<2"
# smolagents' tool output types as task output types; "any", images and audio give text.
_OUTPUT_TYPES: dict[str, Any] = {
    "string": str,
    "integer": int,
    "number": float,
    "boolean": bool,
    "object": dict,
    "array": list,
}


def _answer_type(agent: Any) -> Any:
    final = agent.tools.get("final_answer")
    return _OUTPUT_TYPES.get(getattr(final, "output_type", "any"), str)


def _full_result(agent: Any, options: Mapping[str, Any]) -> bool:
    """Whether the run returns smolagents' RunResult: as `agent.run` would (the agent's own
    `return_full_result`), unless adapter_options say otherwise; a stream gives no RunResult."""
    if options.get("entry", "run") == "stream":
        if options.get("return_full_result"):
            raise ValueError(
                "adapter_options return_full_result needs entry='run': a streamed run gives no RunResult"
            )
        return False
    return bool(options.get("return_full_result", getattr(agent, "return_full_result", False)))


def _drive(agent: Any, prompt: str, entry: str, kwargs: dict[str, Any]) -> Any:
    """Run the agent (sync, as smolagents is): its final answer, or its RunResult if it gives one."""
    from smolagents.memory import FinalAnswerStep

    if entry == "stream":
        final: Any = None
        for step in agent.run(prompt, stream=True, **kwargs):
            if isinstance(step, FinalAnswerStep):
                final = step.output
        return final
    return agent.run(prompt, **kwargs)


async def _invoke(copier: Any, agent: Any, entry: str, inputs: dict[str, Any], run: Any) -> Any:
    from .smolagents_memory import dump, load

    options = run.options.adapter_options
    prompt = inputs.get("prompt")
    if not prompt:
        raise ValueError("a smolagents agent's task needs a prompt (the task of agent.run(task))")
    reset = inputs.get("reset", True)
    if inputs.get("memory") is not None:
        if reset:
            raise ValueError("memory continues an earlier run's conversation: pass reset=False with it")
        agent.memory.steps = load(inputs["memory"])
    full = _full_result(agent, options)
    agent.return_full_result = full  # the run's copy: how smolagents before 1.21 is told
    kwargs = {
        "reset": reset,
        "additional_args": inputs.get("additional_args") or None,
        "max_steps": inputs.get("max_steps") or options.get("max_steps"),
    }
    try:
        # A worker thread: smolagents' loop blocks, and its tool and model calls find their
        # way back to this task's loop (byof's router and tracer see to that).
        result = await drive(_drive, agent, prompt, entry, kwargs)
    finally:
        await drive(copier.cleanup)
    answer = result.output if full else result
    data: dict[str, Any] = to_jsonable(result) if full else {"output": to_jsonable(answer)}
    if options.get("return_memory"):
        return {**data, "memory": dump(agent.memory.steps)}
    return data if full else to_output(answer, _answer_type(agent))


class SmolagentsAdapter(Adapter[Any]):
    """A smolagents agent (any MultiStepAgent). Per run: the `RunCopier` holding the run's copy of
    the agent tree (traced models, routed tools, own memory and executor)."""

    name = NAME
    framework = "smolagents"
    distribution = "smolagents"
    extra = "smolagents"
    supported = SUPPORTED
    description = "ToolCallingAgent and CodeAgent, their tools, models and managed agents."
    entries = ("run", "stream")

    def claims(self, obj: Any) -> bool:
        return loaded_instance(obj, "smolagents", "MultiStepAgent")

    def signature(self, obj: Any, options: Mapping[str, Any]) -> TaskSignature:
        as_dict = options.get("return_memory") or _full_result(obj, options)
        return TaskSignature(
            params=(
                Param("prompt", str, ""),
                Param("additional_args", typing.Optional[dict], None),  # noqa: UP045 - a runtime type for Flyte
                Param("max_steps", typing.Optional[int], None),  # noqa: UP045
                Param("reset", bool, True),
                Param("memory", typing.Optional[list[dict]], None),  # noqa: UP045
            ),
            output=dict if as_dict else _answer_type(obj),
        )

    def prepare(self, obj: Any, run: RunContext) -> Any:
        from .smolagents_seams import RunCopier

        copier = RunCopier(run.router)
        copier.agent(obj)  # the whole tree now, so a worker can rebuild any tool's task
        return copier

    async def invoke(self, obj: Any, prepared: Any, inputs: dict[str, Any], run: RunContext) -> Any:
        entry = self.entry(run.options.adapter_options)
        return await _invoke(prepared, prepared.agent(obj), entry, inputs, run)


@hookimpl
def byof_register_adapters(register: Any) -> None:
    register(SmolagentsAdapter())
