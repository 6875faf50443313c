"""byof.testing: the conformance kit, scripted models and a scripted OpenAI-compatible server."""
