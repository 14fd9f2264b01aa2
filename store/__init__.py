"""Cases, their messages, advisors and feedback in a SQL database (SQLite or PostgreSQL)."""
