"""Strings and shapes shared by the gateway, Rasa and the action server."""
