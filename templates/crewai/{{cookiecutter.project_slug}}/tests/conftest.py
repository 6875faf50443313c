{% extends "conftest.py.j2" %}{% block environment %}
import tempfile  # noqa: E402

# CrewAI (imported with the agent) would ask whether to share traces, send telemetry and write
# under HOME: in tests it does none of that, and writes into a throwaway HOME instead of yours.
os.environ.update(CREWAI_TESTING="true", CREWAI_DISABLE_TELEMETRY="true", OTEL_SDK_DISABLED="true")
CREWAI_HOME = tempfile.TemporaryDirectory(prefix="crewai-home-")  # removed when the tests end
os.environ["HOME"] = CREWAI_HOME.name
os.environ.pop("XDG_DATA_HOME", None)
{% endblock %}