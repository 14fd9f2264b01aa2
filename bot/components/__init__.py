"""Custom NLU components loaded by config.yml (Rasa environment, Python 3.10)."""
