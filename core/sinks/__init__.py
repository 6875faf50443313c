"""Event sinks: JSONL file and console timeline."""
