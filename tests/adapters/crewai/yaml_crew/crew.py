"""The research crew: agents and tasks from YAML, a tool, task context and a before-kickoff hook."""

from __future__ import annotations

from typing import Any

from crewai import Agent, Crew, Process, Task
from crewai.project import CrewBase, agent, before_kickoff, crew, task
from crewai.tools import tool

NOTES = {"flyte": "Flyte 2 runs tasks in containers; traces are replayed on retry."}


@tool("search_notes")
def search_notes(topic: str) -> str:
    """Search the team's notes for a topic."""
    return NOTES.get(topic.lower(), "nothing found")


@CrewBase
class ResearchCrew:
    """Researches a topic, then reports on it."""

    agents: list[Any]
    tasks: list[Any]

    @before_kickoff
    def default_year(self, inputs: dict[str, Any]) -> dict[str, Any]:
        return {"year": "2026", **inputs}

    @agent
    def researcher(self) -> Agent:
        return Agent(config=self.agents_config["researcher"], tools=[search_notes], max_retry_limit=0)

    @agent
    def reporting_analyst(self) -> Agent:
        return Agent(config=self.agents_config["reporting_analyst"], max_retry_limit=0)

    @task
    def research_task(self) -> Task:
        return Task(config=self.tasks_config["research_task"])

    @task
    def reporting_task(self) -> Task:
        return Task(config=self.tasks_config["reporting_task"])

    @crew
    def crew(self) -> Crew:
        return Crew(agents=self.agents, tasks=self.tasks, process=Process.sequential)
