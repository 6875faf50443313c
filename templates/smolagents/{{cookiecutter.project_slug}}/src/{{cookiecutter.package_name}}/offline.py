{% extends "offline.py.j2" %}
{% block imports %}
from byof.testing.script import Script, say

from .forecasts import FORECASTS
{% endblock %}
{% block weather %}

def _code(thought: str, *lines: str) -> str:
    """A CodeAgent's model answer: a thought, then Python between smolagents' <code> tags."""
    return f"Thought: {thought}\n<code>\n" + "\n".join(lines) + "\n</code>"


def _code_turns(city: str, celsius: float) -> list:
    """The weather turns as a CodeAgent's model writes them: Python calling the tools, whose
    variables live on to the next step, then final_answer with both results."""
    city = city.title()
    return [
        say(_code("Look it up.", f"weather = get_weather(city={city!r})", "print(weather)")),
        say(
            _code(
                "Convert its temperature.",
                f"fahrenheit = celsius_to_fahrenheit(celsius={float(celsius)!r})",
                "print(fahrenheit)",
            )
        ),
        say(_code("Answer.", 'final_answer(f"In ' + city + ' it is {weather}, {fahrenheit} °F.")')),
    ]


# A CodeAgent reads code, not tool calls, from its model, offline and from a real server alike:
# its conversations are the other templates' weather turns, written as code.
WEATHER = {city.title(): _code_turns(city, celsius) for city, (_, celsius) in FORECASTS.items()}
{% endblock %}
{% block scripted_model %}

def scripted_model():
    """A real smolagents Model whose answers come from SCRIPT: code for the CodeAgent to run."""
    from byof.testing.smolagents import ScriptedModel

    return ScriptedModel(SCRIPT)
{% endblock %}
