"""Storage: SQLModel tables, the async engine, the Repository and the schema migrations."""
