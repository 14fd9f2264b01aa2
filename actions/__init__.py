"""Custom Rasa actions, served by the rasa-sdk action server (`python -m actions.server`)."""
