{% extends "offline.py.j2" %}
{% block scripted_model %}

def scripted_model():
    """A chat function like `chat` in agent.py (OpenAI message dicts in and out), from SCRIPT."""
    from byof.testing.chat import ScriptedChat

    return ScriptedChat(SCRIPT)
{% endblock %}
