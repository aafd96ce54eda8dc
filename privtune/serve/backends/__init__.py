"""Generation backends: embedded (transformers + PEFT in this process) and upstream (an OpenAI-compatible engine)."""
