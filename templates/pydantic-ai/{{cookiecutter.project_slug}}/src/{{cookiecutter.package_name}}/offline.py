{% extends "offline.py.j2" %}
{% block scripted_model %}

def scripted_model():
    """A real Pydantic AI model (a FunctionModel) whose answers come from SCRIPT."""
    from byof.testing.pydantic_ai import scripted_model as from_script

    return from_script(SCRIPT)
{% endblock %}
