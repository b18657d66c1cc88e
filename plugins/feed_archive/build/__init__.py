"""The build: posts -> pages, through Pelican's signals (never imports ingestion)."""
