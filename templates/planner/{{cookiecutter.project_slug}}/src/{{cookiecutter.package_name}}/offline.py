{% extends "offline.py.j2" %}
{% block imports %}
import json

from byof.testing.script import Script, call, say

from .forecasts import FORECASTS, to_fahrenheit
{% endblock %}
{% block script %}
# Pairs of cities to compare: the team's example requests.
PAIRS = [("Paris", "Tokyo"), ("Tokyo", "Lima"), ("Lima", "Paris")]
QUESTIONS = [f"Which is warmer today, {a} or {b}?" for a, b in PAIRS]


def _plan(a: str, b: str) -> str:
    """The planner's answer: both forecasts in parallel (wave 1), then the comparison (wave 2)."""
    steps = [
        {"id": "s1", "agent": "weather", "task": f"What's the weather in {a}, in Fahrenheit?"},
        {"id": "s2", "agent": "weather", "task": f"What's the weather in {b}, in Fahrenheit?"},
        {"id": "s3", "agent": "analyst", "task": f"Say which is warmer, {a} or {b}.",
         "depends_on": ["s1", "s2"]},
    ]  # fmt: skip
    return json.dumps({"steps": steps, "final": "s3"})


def _comparison(a: str, b: str) -> str:
    """The analyst's answer, from the forecasts the weather steps return."""
    fahrenheit = {c: to_fahrenheit(FORECASTS[c.lower()][1]) for c in (a, b)}
    warm, cold = sorted((a, b), key=fahrenheit.__getitem__, reverse=True)
    return f"{warm} is warmer today: {fahrenheit[warm]} °F against {fahrenheit[cold]} °F in {cold}."


# The planner's plans first, then the analyst's comparisons, then the weather agent's turns:
# the first key found in a conversation's first message picks its script.
SCRIPT = Script(
    [say("Offline I only know the example requests; set the API key in .env to ask anything.")],
    by_prompt={
        **{f"Request: {q}": [say(_plan(a, b))] for q, (a, b) in zip(QUESTIONS, PAIRS, strict=True)},
        **{f"Say which is warmer, {a} or {b}.": [say(_comparison(a, b))] for a, b in PAIRS},
        **WEATHER,
    },
)
{% endblock %}
{% block scripted_model %}

def scripted_chat():
    """The planner's chat function (OpenAI message dicts in and out), from SCRIPT."""
    from byof.testing.chat import ScriptedChat

    return ScriptedChat(SCRIPT)


def scripted_langchain_model():
    """The weather agent's model: a real LangChain chat model answering from SCRIPT."""
    from byof.testing.langchain import ScriptedChatModel

    return ScriptedChatModel(script=SCRIPT)


def scripted_pydantic_ai_model():
    """The analyst's model: a Pydantic AI FunctionModel answering from SCRIPT."""
    from byof.testing.pydantic_ai import scripted_model

    return scripted_model(SCRIPT)
{% endblock %}