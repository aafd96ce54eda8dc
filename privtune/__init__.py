"""privtune: fine-tune LLMs on sensitive data and prove they did not learn to leak it.

Stages (data flows one way, through documented files):
scan -> train -> audit -> serve.
"""

__version__ = "0.1.0"
