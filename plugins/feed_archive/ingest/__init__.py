"""Ingestion: feeds -> posts (network and content/ only; never imports the build)."""
