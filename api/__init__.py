"""FastAPI gateway: chat through Rasa, direct questions to the knowledge engine, and the web page."""
