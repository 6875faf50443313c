{% extends "offline.py.j2" %}
{% block scripted_model %}

def scripted_model():
    """A real CrewAI LLM (BaseLLM) whose answers come from SCRIPT, as native tool calls."""
    from byof.testing.crewai import ScriptedLLM

    return ScriptedLLM(SCRIPT, function_calling=True)
{% endblock %}
