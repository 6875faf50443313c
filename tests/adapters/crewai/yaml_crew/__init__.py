"""A crew written the way CrewAI's project template and crewAI-examples write one: YAML config."""
