{% extends "offline.py.j2" %}
{% block scripted_model %}

def scripted_model():
    """A real Agents SDK model (an agents.Model) whose answers come from SCRIPT."""
    from byof.testing.openai_agents import ScriptedAgentsModel

    return ScriptedAgentsModel(SCRIPT)
{% endblock %}
