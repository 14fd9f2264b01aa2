"""Rasa assistant: domain, rules and stories (YAML), and custom NLU components."""
