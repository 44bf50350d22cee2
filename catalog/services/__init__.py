"""Catalog services: the sync of the PLATFORM's games and lobbies."""

from catalog.services.sync import SyncResult, catalog_apply, catalog_sync

__all__ = ["SyncResult", "catalog_apply", "catalog_sync"]
