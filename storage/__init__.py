"""Storage backends for dossiers (engine.repository.DossierRepository)."""

from storage.tinydb_store import TinyDBStore

__all__ = ["TinyDBStore"]
