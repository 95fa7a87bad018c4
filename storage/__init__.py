"""Storage backends behind engine.repository.DossierRepository and engine.accounts.UserRepository:
TinyDB (tinydb_store, tinydb_users, on sharded), the embedded default, and PostgreSQL
(postgres_store, postgres_users, on postgres). web.resources chooses between them."""
