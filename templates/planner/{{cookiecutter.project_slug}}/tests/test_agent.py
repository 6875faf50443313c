{% extends "test_agent.py.j2" %}
{% block tests %}

def test_the_team_plans_runs_two_waves_and_answers() -> None:
    with record_flyte() as record:
        result = flyte.run(agent_task, prompt=QUESTIONS[0]).outputs()[0]

    assert result["status"] == "succeeded"
    assert result["answer"] == "Paris is warmer today: 69.8 °F against 60.8 °F in Tokyo."
    assert result["waves"] == [["s1", "s2"], ["s3"]]  # both forecasts at once, then the comparison
    assert [s["status"] for s in result["steps"]] == ["succeeded"] * 3
    assert len(record.tasks_named("get_weather")) == 2  # each tool call a Flyte child task
    assert len(record.tasks_named("celsius_to_fahrenheit")) == 2
    assert len(record.steps) == 1 + 2 * 3 + 1  # planner, 3 turns per weather step, analyst


def test_ask_all_fans_out_one_team_run_per_request() -> None:
    results = flyte.run(main.ask_all, questions=QUESTIONS).outputs()[0]

    assert [r["answer"].split(" is warmer")[0] for r in results] == ["Paris", "Lima", "Paris"]


def test_main_runs_locally_and_prints_each_answer(capsys: pytest.CaptureFixture[str]) -> None:
    main.main(["--local", QUESTIONS[1]])
    out = capsys.readouterr().out
    assert "scripted offline model" in out
    assert "A: Lima is warmer today: 64.4 °F against 60.8 °F in Tokyo." in out
{% endblock %}