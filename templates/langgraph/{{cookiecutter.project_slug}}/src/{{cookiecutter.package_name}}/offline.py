{% extends "offline.py.j2" %}
{% block scripted_model %}

def scripted_model():
    """A real LangChain chat model (BaseChatModel) whose answers come from SCRIPT."""
    from byof.testing.langchain import ScriptedChatModel

    return ScriptedChatModel(script=SCRIPT)
{% endblock %}
